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
  ]

  @Test(arguments: cases)
  func exampleRunsAgainstTheEmbeddedSimulator(_ example: Example) async throws {
    let directory = try Scratch.directory()
    let run = try await CLIHarness.run(
      ["apply", Self.examples.appendingPathComponent("\(example.name)/plan.yaml").path, "--output", "json"],
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
}
