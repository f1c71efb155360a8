import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// `validate` and `graph` given a plan: told from a template by what it says, checked offline as
/// `apply` would check it, drawn as the stage graph.
@Suite struct PlanDocumentTests {
  static let files = [
    "plan.yaml": EngineTemplates.sixStagePlan, "network.yaml": EngineTemplates.network,
    "machine.yaml": EngineTemplates.machine, "app.yaml": EngineTemplates.app,
  ]

  @Test func validateChecksAWholePlanOffline() async throws {
    let directory = try Scratch.files(Self.files, in: Scratch.directory())
    // Named like a template: the content says plan.
    try FileManager.default.moveItem(
      at: directory.appendingPathComponent("plan.yaml"), to: directory.appendingPathComponent("rollout.yml"))
    let plan = directory.path + "/rollout.yml"
    let valid = try await CLIHarness.run(["validate", plan])
    #expect(valid.status == 0, "\(valid.everything)")
    #expect(valid.stdout == "\(plan): valid plan (6 stages; 0 errors, 0 warnings)\n", "\(valid.stdout)")
    #expect(!valid.everything.contains("resources"), "not read as a template")

    try Scratch.files(
      [
        "broken.yaml": """
        name: broken
        stages:
          net: {template: network.yaml, project: Development}
          db:
            template: machine.yaml
            project: Development
            inputs: {network: "${stages.nett.outputs.networkId}"}
          app: {template: missing.yaml, project: Development}
        """
      ], in: directory)
    let broken = directory.path + "/broken.yaml"
    let invalid = try await CLIHarness.run(["validate", broken])
    #expect(invalid.status == 2)
    let errors = invalid.stdout.split(separator: "\n").filter { $0.contains(": error: ") }
    #expect(errors.count == 2, "every problem at once: \(invalid.stdout)")
    #expect(errors.contains { $0.hasPrefix("\(broken):7:") && $0.contains("nett") })
    #expect(errors.contains { $0.hasPrefix("\(broken):8:") && $0.contains("missing.yaml") })
    #expect(invalid.stdout.hasSuffix("\(broken): invalid plan (2 errors, 0 warnings)\n"))

    let json = try await CLIHarness.run(["validate", broken, "--output", "json"])
    #expect(json.status == 2)
    let report = try json.json()
    #expect(report["valid"] as? Bool == false)
    #expect((report["errors"] as? [[String: Any]])?.compactMap { $0["stage"] as? String }.sorted() == ["app", "db"])

    let withInputs = try await CLIHarness.run(["validate", plan, "--input", "size=large"])
    #expect(withInputs.status == 2 && withInputs.stderr.contains("is a plan"), "\(withInputs.stderr)")
  }

  @Test func aTOMLPlanIsAPlan() async throws {
    let directory = try Scratch.files(
      [
        "plan.toml": """
        name = "t"
        [defaults]
        project = "Development"
        [stages.net]
        template = "network.yaml"
        [stages.app]
        template = "app.yaml"
        inputs = { dbHost = "${stages.net.outputs.networkId}" }
        """,
        "network.yaml": EngineTemplates.network, "app.yaml": EngineTemplates.app,
      ], in: Scratch.directory())
    let run = try await CLIHarness.run(["validate", directory.path + "/plan.toml"])
    #expect(run.status == 0, "\(run.everything)")
    #expect(run.stdout.contains("valid plan (2 stages"))
  }

  @Test func graphDrawsAPlansStages() async throws {
    let directory = try Scratch.files(Self.files, in: Scratch.directory())
    let plan = directory.path + "/plan.yaml"
    let text = try await CLIHarness.run(["graph", plan])
    #expect(text.status == 0, "\(text.everything)")
    #expect(
      text.stdout.split(separator: "\n").map(String.init) == [
        "\(plan): 6 stages in 4 layers, each after the ones above",
        "layer 1",
        "└─ net    template network.yaml",
        "layer 2",
        "├─ db     template machine.yaml  after net",
        "└─ cache  template machine.yaml  after net",
        "layer 3",
        "├─ api    template app.yaml      after db",
        "└─ web    template app.yaml      after cache",
        "layer 4",
        "└─ edge   template network.yaml  after api (dependsOn), web (dependsOn)",
      ], "\(text.stdout)")

    let json = try await CLIHarness.run(["graph", plan, "--output", "json"])
    let graph = try json.json()
    #expect(graph["layers"] as? [[String]] == [["net"], ["db", "cache"], ["api", "web"], ["edge"]])
    #expect((graph["stages"] as? [[String: String]])?.first == ["name": "net", "source": "template network.yaml"])
    let edges = try #require(graph["edges"] as? [[String: String]])
    #expect(edges.contains(["from": "edge", "to": "api", "kind": "dependsOn"]))
    #expect(edges.contains(["from": "db", "to": "net", "kind": "reference"]))
    #expect(edges.count == 6)

    let mermaid = try await CLIHarness.run(["graph", plan, "--format", "mermaid"])
    #expect(mermaid.stdout.contains(#"  s0["net<br/>template network.yaml"]"#), "\(mermaid.stdout)")
    let dot = try await CLIHarness.run(["graph", plan, "--format", "dot"])
    #expect(
      dot.stdout.hasPrefix("digraph \"six\" {")
        && dot.stdout.contains(#""edge" -> "web" [label="dependsOn", style=dashed];"#))
  }

  @Test func graphOfAPlanWithACycleExitsTwo() async throws {
    let directory = try Scratch.files(
      [
        "plan.yaml": """
        name: loop
        defaults: {project: Development}
        stages:
          a: {template: network.yaml, dependsOn: [b]}
          b: {template: network.yaml, dependsOn: [a]}
        """,
        "network.yaml": EngineTemplates.network,
      ], in: Scratch.directory())
    let run = try await CLIHarness.run(["graph", directory.path + "/plan.yaml"])
    #expect(run.status == 2)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.contains("dependency cycle: a -> b -> a"), "\(run.stderr)")
  }
}
