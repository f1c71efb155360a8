import ArgumentParser
import CloudTemplate
import Engine
import EngineRuntime
import Foundation

/// `vra-engine graph`: the order vRA creates a template's resources in, or a plan runs its stages in.
struct GraphCommand: ParsableCommand, UsageChecked {
  static let configuration = CommandConfiguration(
    commandName: "graph",
    abstract: "Print a template's resource dependency graph, or a plan's stage graph, and its layers.",
    discussion: """
      An edge from A to B means A comes after B: A lists B under dependsOn (kind dependsOn) or uses \
      ${resource.B...} (a plan: ${stages.B...}) somewhere (kind reference). Layers are what can go in \
      parallel, in order: the resources vRA provisions together, or the stages `apply` runs together. \
      A plan is a file with `stages:` (or any .toml file); anything else is read as a template.

      By default a readable tree of the layers. --output json (or --format json) prints \
      {"resources": [{"name", "type"}], "edges": [{"from", "to", "kind"}], "layers": [[...]]} (a plan: \
      "stages": [{"name", "source"}] instead of "resources"); --format dot (Graphviz; dependsOn edges \
      dashed) and --format mermaid (a flowchart; dependsOn edges dotted) draw it.

      Exit codes: 0 ok, 2 unreadable or invalid template or plan, or a dependency cycle (the cycle is printed).

      Examples:
        vra-engine graph web.yaml
        vra-engine graph plan.yaml --format mermaid
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json, dot, mermaid
  }

  @Argument(help: "The cloud template (YAML) or plan (YAML or TOML).") var template: String

  @Option(help: ArgumentHelp("Output format: text, json, dot or mermaid (default text).", valueName: "format"))
  var format: Format?

  @Option(help: OutputFormat.help) var output: OutputFormat?

  @OptionGroup var limitOptions: TemplateLimitOptions

  func checkUsage() throws(UsageError) {
    if let format, let output, format.rawValue != output.rawValue {
      throw Terminal.usageError(
        "--format \(format.rawValue) and --output \(output.rawValue) disagree; give one of them", command: "graph")
    }
    try limitOptions.check(command: "graph")
  }

  func run() throws {
    let drawing: GraphDrawing
    let name: String
    if DocumentKind.of(template, limits: limitOptions.limits) == .plan {
      let plan: Plan
      let graph: StageGraph
      do {
        plan = try PlanLoader.load(contentsOf: URL(fileURLWithPath: template), limits: limitOptions.limits)
        graph = try StageGraph(plan: plan)
      } catch {
        for diagnostic in error.diagnostics { Terminal.err(diagnostic.description) }
        throw ExitCodes.usageOrValidation
      }
      drawing = Self.drawing(of: plan, graph: graph)
      name = plan.name
    } else {
      let parsed = try Terminal.parseTemplate(template, limits: limitOptions.limits)
      do {
        drawing = try ResourceGraph(template: parsed).drawing
      } catch {
        Terminal.err(error.description)
        throw ExitCodes.usageOrValidation
      }
      name = parsed.name ?? "template"
    }
    switch format ?? output.map { Format(rawValue: $0.rawValue)! } ?? .text {
    case .text: Terminal.out(drawing.text(title: template))
    case .json: OutputJSON.print(drawing.jsonValue)
    case .dot: Terminal.out(drawing.dot(name: name))
    case .mermaid: Terminal.out(drawing.mermaid)
    }
  }

  /// A plan's stages, each with its source, and one edge per pair of stages (a `dependsOn` entry
  /// first, else the first reference), in file order.
  static func drawing(of plan: Plan, graph: StageGraph) -> GraphDrawing {
    let known = Set(plan.stageNames)
    var seen: Set<[String]> = []
    var edges: [ResourceEdge] = []
    let declared = StageEdge.edges(of: plan).filter { known.contains($0.dependency) }
    for edge in declared.filter({ $0.reason == .dependsOn }) + declared.filter({ $0.reason != .dependsOn })
    where seen.insert([edge.dependent, edge.dependency]).inserted {
      edges.append(
        ResourceEdge(
          from: edge.dependent, to: edge.dependency, kind: edge.reason == .dependsOn ? .dependsOn : .reference))
    }
    let order = Dictionary(plan.stageNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    edges.sort { (order[$0.from]!, order[$0.to]!) < (order[$1.from]!, order[$1.to]!) }
    return GraphDrawing(
      noun: "stage", detailKey: "source",
      nodes: plan.stages.map { GraphDrawing.Node(name: $0.name, detail: $0.source.summary) }, edges: edges,
      layers: graph.layers)
  }
}
