import ArgumentParser
import CloudTemplate
import EngineRuntime

/// `vra-engine graph`: the order vRA creates a template's resources in.
struct GraphCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "graph",
    abstract: "Print a template's resource dependency graph and its provisioning layers.",
    discussion: """
      An edge from A to B means A is created after B: A lists B under dependsOn (kind dependsOn) or uses \
      ${resource.B...} somewhere (kind reference). Layers are the resources vRA can provision in parallel, \
      in order.

      Formats: json ({"resources": [{"name", "type"}], "edges": [{"from", "to", "kind"}], "layers": [[...]]}), \
      dot (Graphviz; dependsOn edges dashed) and mermaid (a flowchart; dependsOn edges dotted).

      Exit codes: 0 ok, 2 unreadable or invalid template, or a dependency cycle (the cycle is printed).
      """)

  @Argument(help: "The cloud template (YAML).") var template: String

  @Option(help: ArgumentHelp("Output format: dot, mermaid or json.", valueName: "dot|mermaid|json"))
  var format: String = "json"

  @OptionGroup var limitOptions: TemplateLimitOptions

  func validate() throws {
    guard ["dot", "mermaid", "json"].contains(format) else {
      throw Terminal.usageError("--format must be dot, mermaid or json, not '\(format)'", command: "graph")
    }
    try limitOptions.check(command: "graph")
  }

  func run() throws {
    let parsed = try Terminal.parseTemplate(template, limits: limitOptions.limits)
    let graph: ResourceGraph
    do {
      graph = try ResourceGraph(template: parsed)
    } catch {
      Terminal.err(error.description)
      throw ExitCodes.usageOrValidation
    }
    switch format {
    case "dot": Terminal.out(graph.dot(name: parsed.name ?? "template"))
    case "mermaid": Terminal.out(graph.mermaid)
    default: Terminal.out(JSONText.render(graph.jsonValue, pretty: true))
    }
  }
}
