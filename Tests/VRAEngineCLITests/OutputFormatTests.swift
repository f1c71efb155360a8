import CloudTemplate
import Foundation
import TestSupport
import Testing
import VRAModels

@testable import VRAEngineCLI

/// `--output text|json` on every command that prints data: one option, one refusal, one JSON layout.
@Suite struct OutputFormatTests {
  static let plan = """
    name: one
    defaults: {project: Development}
    stages:
      net: {template: network.yaml}
    """
  static let template = TemplateCorpus.path("apps-web-application-v1.yaml")

  /// A directory with a one-stage plan applied against `harness` (state in `state.db` there), and the run id.
  static func appliedRun(_ harness: SimulatorHarness) async throws -> (directory: URL, runId: String) {
    let directory = try Scratch.files(
      ["plan.yaml": plan, "network.yaml": EngineTemplates.network], in: Scratch.directory())
    let run = try await CLIHarness.run(
      [
        "apply", directory.appendingPathComponent("plan.yaml").path, "--state", directory.path + "/state.db",
        "--output", "json",
      ],
      environment: CLIHarness.credentials(harness), directory: directory)
    #expect(run.status == 0, "\(run.stderr)")
    let id = try #require((try run.json()["run"] as? [String: Any])?["id"] as? String)
    return (directory, id)
  }

  /// The text is exactly what the CLI's one JSON writer makes of the same value: sorted keys,
  /// pretty, the same separators, whichever command printed it.
  static func expectOneLayout(
    _ text: String, _ command: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
      Issue.record("\(command): not JSON: \(text)", sourceLocation: sourceLocation)
      return
    }
    #expect(
      text == OutputJSON.render(value) + "\n", "\(command) writes JSON its own way", sourceLocation: sourceLocation)
  }

  @Test func everyCommandThatPrintsDataRefusesAnOutputItDoesNotKnowTheSameWay() async throws {
    let plan = try Scratch.file("plan.yaml", "name: p\nstages: {}\n")
    let commands: [[String]] = [
      ["runs"], ["runs", "list"], ["runs", "show", "abcd1234"], ["config", "show"], ["graph", Self.template],
      ["validate", Self.template], ["apply", plan], ["version"],
      ["deploy", "--template", Self.template, "--project", "Development", "--name", "x"],
    ]
    for command in commands {
      for value in ["yaml", "bogus"] {
        let run = try await CLIHarness.run(command + ["--output", value])
        #expect(run.status == 2, "\(command) --output \(value): \(run.everything)")
        #expect(run.stdout.isEmpty, "\(command) --output \(value) printed \(run.stdout)")
        #expect(
          run.stderr.hasPrefix("Error: The value '\(value)' is invalid for '--output <text|json>'"),
          "\(command): \(run.stderr)")
      }
    }
  }

  @Test func runsAndRunsShowAndConfigShowPrintJSONTheOneWay() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let (directory, runId) = try await Self.appliedRun(harness)
      let state = directory.path + "/state.db"

      let list = try await CLIHarness.run(["runs", "--state", state, "--output", "json"])
      #expect(list.status == 0, "\(list.stderr)")
      let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
      #expect(runs.count == 1 && runs[0]["id"] as? String == runId && runs[0]["status"] as? String == "succeeded")
      #expect(Set(runs[0].keys) == ["id", "status", "plan", "planPath", "startedAt", "finishedAt", "target", "owner"])
      Self.expectOneLayout(list.stdout, "runs")

      let show = try await CLIHarness.run(["runs", "show", runId, "--state", state, "--output", "json"])
      #expect(show.status == 0, "\(show.stderr)")
      #expect((try show.json()["stages"] as? [[String: Any]])?.first?["name"] as? String == "net")
      Self.expectOneLayout(show.stdout, "runs show")
      let text = try await CLIHarness.run(["runs", "show", runId, "--state", state])
      #expect(text.stdout.hasPrefix("run \(runId): succeeded"))

      let config = try await CLIHarness.run(["config", "show", "--output", "json"], directory: directory)
      #expect(config.status == 0, "\(config.stderr)")
      Self.expectOneLayout(config.stdout, "config show")
    }
  }

  @Test func templateCommandsPrintJSONTheOneWay() async throws {
    for command in [
      ["graph", Self.template, "--output", "json"], ["graph", Self.template, "--format", "json"],
      ["validate", Self.template, "--output", "json"], ["inputs-schema", Self.template],
      ["version", "--output", "json"],
    ] {
      let run = try await CLIHarness.run(command)
      #expect(!run.stdout.isEmpty, "\(command): \(run.stderr)")
      Self.expectOneLayout(run.stdout, command.joined(separator: " "))
    }
  }

  /// A dry run's requests are text: asking for JSON is refused rather than answered in text.
  @Test func aDryRunRefusesJSON() async throws {
    let run = try await CLIHarness.run(["apply", "/nonexistent/plan.yaml", "--dry-run", "--output", "json"])
    #expect(run.status == 2)
    #expect(run.stdout.isEmpty && run.stderr.hasPrefix("error: --dry-run prints the requests as text"), "\(run.stderr)")
  }

  /// An invalid plan still gives `--output json` a document: every diagnostic with file, line,
  /// column and message on stdout, the same lines as text on stderr, exit 2.
  @Test func applyOnAnInvalidPlanPrintsItsDiagnosticsAsJSON() async throws {
    let directory = try Scratch.files(
      [
        "plan.yaml": """
        name: broken
        defaults: {project: Development}
        stages:
          net: {template: network.yaml}
          db: {template: network.yaml, inputs: {cidr: "${stages.nett.outputs.networkId}"}}
        """,
        "network.yaml": EngineTemplates.network,
      ], in: Scratch.directory())
    let plan = directory.appendingPathComponent("plan.yaml").path
    let run = try await CLIHarness.run(["apply", plan, "--output", "json", "--state", directory.path + "/state.db"])
    #expect(run.status == 2)
    let report = try run.json()
    #expect(report["valid"] as? Bool == false)
    let errors = try #require(report["errors"] as? [[String: Any]])
    let error = try #require(errors.first)
    #expect(error["file"] as? String == plan)
    #expect(error["line"] as? Int == 5 && (error["column"] as? Int ?? 0) > 1, "\(error)")
    #expect((error["message"] as? String)?.contains("nett") == true)
    #expect(error["stage"] as? String == "db")
    Self.expectOneLayout(run.stdout, "apply")
    #expect(run.stderr.contains("\(plan):5:"), "errors still go to stderr: \(run.stderr)")

    let missing = try await CLIHarness.run(["apply", directory.path + "/nope.yaml", "--output", "json"])
    #expect(missing.status == 2)
    let unreadable = try #require((try missing.json()["errors"] as? [[String: Any]])?.first)
    #expect(
      unreadable["file"] as? String == directory.path + "/nope.yaml"
        && unreadable["message"] as? String == "no such file")
    #expect(unreadable["line"] is NSNull && unreadable["column"] is NSNull, "no made-up position: \(unreadable)")
  }

  /// `apply` in text shows the run id when it starts and every stage's outputs on stdout at the end.
  @Test func applyShowsTheRunIdFirstAndTheOutputsLast() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Scratch.files(
        ["plan.yaml": Self.plan, "network.yaml": EngineTemplates.network], in: Scratch.directory())
      let run = try await CLIHarness.run(
        ["apply", directory.path + "/plan.yaml", "--state", directory.path + "/state.db"],
        environment: CLIHarness.credentials(harness), directory: directory)
      #expect(run.status == 0, "\(run.stderr)")
      let first = try #require(run.stderr.split(separator: "\n").first)
      let runId = try #require(first.split(separator: " ").dropFirst().first.map(String.init))
      #expect(first.hasPrefix("run \(runId) started"), "\(run.stderr)")
      let lines = run.stdout.split(separator: "\n").map(String.init)
      #expect(lines.first == "outputs:", "\(run.stdout)")
      #expect(lines.contains { $0.hasPrefix("  net.networkId = ") && $0.count > "  net.networkId = ".count })
      #expect(run.stderr.hasSuffix("run \(runId): succeeded  (details: vra-engine runs show \(runId))\n"))
    }
  }
}
