import Foundation
import TestSupport
import Testing
import VRAModels

@testable import VRAEngineCLI

/// Every plan in examples/ runs with the README's one command against the embedded simulator:
/// no endpoint in the environment, a fresh current directory for `.vra-engine/`.
@Suite(.serialized) struct ExamplesTests {
  static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

  struct Example: Sendable, CustomTestStringConvertible {
    var name: String
    var exitCode: Int32
    var stages: [String: String]
    var arguments: [String] = []
    var testDescription: String { name }
  }

  static let cases = [
    Example(
      name: "three-tier", exitCode: 0,
      stages: ["network": "succeeded", "db": "succeeded", "app": "succeeded"]),
    Example(
      name: "fan-out", exitCode: 0,
      stages: ["network": "succeeded", "web-dev": "succeeded", "web-prod": "succeeded", "smoke-dev": "succeeded"]),
    Example(name: "rollback-demo", exitCode: 1, stages: ["network": "rolled-back", "app": "rolled-back"]),
    // The README's line: deployed, smoke-checked on the machine's health URL, torn down.
    Example(
      name: "ci/infra", exitCode: 0, stages: ["net": "succeeded", "app": "succeeded", "smoke": "succeeded"],
      arguments: ["--destroy-after", "always"]),
  ]

  @Test(arguments: cases)
  func exampleRunsAgainstTheEmbeddedSimulator(_ example: Example) async throws {
    let directory = try Scratch.directory()
    let run = try await CLIHarness.run(
      ["apply", Self.examples.appendingPathComponent("\(example.name)/plan.yaml").path, "--output", "json"]
        + example.arguments,
      directory: directory)
    #expect(run.status == example.exitCode, "\(run.stderr)")
    let report = try JSONDecoder().decode(JSONValue.self, from: Data(run.stdout.utf8))
    let stages = Dictionary(
      uniqueKeysWithValues: (report["stages"]?.arrayValue ?? []).compactMap { stage -> (String, String)? in
        guard let name = stage["name"]?.stringValue, let status = stage["status"]?.stringValue else { return nil }
        return (name, status)
      })
    #expect(stages == example.stages)
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".vra-engine/state.db").path))
  }

  /// examples/environments: staging applies on the embedded simulator (which keeps its state between
  /// commands), and a second apply finds every stage unchanged.
  @Test func theStagingEnvironmentConvergesOnTheEmbeddedSimulator() async throws {
    let directory = try Scratch.directory()
    let plan = Self.examples.appendingPathComponent("environments/staging.yaml").path
    let secret = ["SHOP_DB_PASSWORD": "canary-Example-Db-5"]
    let first = try await CLIHarness.run(
      ["apply", plan, "--output", "json"], environment: secret, directory: directory)
    #expect(first.status == 0, "\(first.stderr)")
    let again = try await CLIHarness.run(["apply", plan], environment: secret, directory: directory)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.everything.components(separatedBy: "unchanged").count - 1 >= 3, "\(again.everything)")
    let planned = try await CLIHarness.run(
      ["plan", plan, "--detailed-exitcode"], environment: secret, directory: directory)
    #expect(planned.status == 0, "\(planned.stdout)\(planned.stderr)")
    #expect(!(first.everything + again.everything + planned.everything).contains("canary-Example-Db-5"))
  }
}
