import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// What CI logs get: GitHub annotations for validation problems, and no escape sequences without a
/// terminal or with NO_COLOR.
@Suite(.serialized) struct CIOutputTests {
  /// Line 6, column 23: `${input.nope}` names no input.
  static let brokenTemplate = """
    formatVersion: 1
    inputs: {}
    resources:
      vm:
        type: Cloud.Machine
        properties: {flavor: '${input.nope}', image: ubuntu}
    """

  @Test func templateProblemsAreAnnotationsOnGitHubOnly() async throws {
    let directory = try Scratch.files(["templates/web.yaml": Self.brokenTemplate], in: Scratch.directory())
    let path = directory.appendingPathComponent("templates/web.yaml").path
    let github = try await CLIHarness.run(
      ["validate", path], environment: ["GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": directory.path])
    #expect(github.status == 2, "\(github.stderr)")
    let annotations = github.stderr.split(separator: "\n").filter { $0.hasPrefix("::error ") }
    #expect(annotations.count == 1, "\(github.stderr)")
    #expect(annotations.first?.hasPrefix("::error file=templates/web.yaml,line=6,col=") == true, "\(annotations)")
    #expect(annotations.first?.contains("nope") == true)
    #expect(github.stdout.contains("web.yaml:6:"), "the usual lines stay: \(github.stdout)")

    let json = try await CLIHarness.run(
      ["validate", path, "--output", "json"], environment: ["GITHUB_ACTIONS": "true"])
    #expect(try json.json()["valid"] as? Bool == false, "stdout stays one JSON document")
    #expect(json.stderr.contains("::error file=\(path),line=6"), "outside the workspace: the path as given")

    let plain = try await CLIHarness.run(["validate", path])
    #expect(plain.status == 2)
    #expect(!plain.everything.contains("::error"), "no workflow commands off GitHub")
  }

  @Test func applysPlanProblemsAreAnnotations() async throws {
    let directory = try Scratch.files(
      [
        "plan.yaml": """
        name: broken
        defaults: {project: Development}
        stages:
          net: {template: network.yaml, inputs: {cidr: "${stages.nett.outputs.x}"}}
        """,
        "network.yaml": EngineTemplates.network,
      ], in: Scratch.directory())
    let run = try await CLIHarness.run(
      ["apply", directory.appendingPathComponent("plan.yaml").path, "--output", "json"],
      environment: ["GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": directory.path], directory: directory)
    #expect(run.status == 2, "\(run.stderr)")
    #expect(run.stderr.contains("::error file=plan.yaml,line=4,col="), "\(run.stderr)")
    #expect(try run.json()["valid"] as? Bool == false)
  }

  @Test func annotationTextIsEscapedAsTheRunnerUnescapesIt() {
    let line = GitHubAnnotations.line(
      severity: .warning, file: "a,b:c.yaml", line: 3, column: 7, message: "100% sure\r\nnext line")
    #expect(line == "::warning file=a%2Cb%3Ac.yaml,line=3,col=7::100%25 sure%0D%0Anext line")
    #expect(
      GitHubAnnotations.line(severity: .error, file: nil, line: nil, column: nil, message: "x: y, z")
        == "::error::x: y, z")
  }

  static let onePlan = """
    name: one
    defaults: {project: Development}
    stages:
      net: {template: network.yaml}
    """

  /// The live table moves the cursor on a terminal; NO_COLOR, TERM=dumb and no terminal get plain
  /// lines: not one escape sequence (the CLI writes no colour at all).
  @Test(arguments: [
    (terminal: true, environment: [String: String](), escapes: true),
    (terminal: true, environment: ["NO_COLOR": "1"], escapes: false),
    (terminal: true, environment: ["TERM": "dumb"], escapes: false),
    (terminal: false, environment: [:], escapes: false),
  ])
  func escapesOnlyOnATerminalWithoutNoColor(
    _ setting: (terminal: Bool, environment: [String: String], escapes: Bool)
  )
    async throws
  {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Scratch.files(
        ["plan.yaml": Self.onePlan, "network.yaml": EngineTemplates.network], in: Scratch.directory())
      var environment = CLIHarness.credentials(harness)
      environment.merge(setting.environment) { $1 }
      let run = try await CLIHarness.run(
        [
          "apply", directory.appendingPathComponent("plan.yaml").path, "--state",
          directory.appendingPathComponent("s.db").path,
        ],
        environment: environment, directory: directory, terminal: setting.terminal)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.everything.contains("\u{1B}[") == setting.escapes, "\(setting): \(run.stderr)")
      #expect(!run.everything.contains("\u{1B}[0m") && !run.everything.contains("\u{1B}[31m"), "never colour")
    }
  }
}
