import Engine
import Foundation
import TestSupport
import Testing
import VRAModels

/// Every plan in examples/ runs with the README's one command against the embedded simulator:
/// no endpoint in the environment, a fresh working directory for `.vra-engine/`.
@Suite(.serialized) struct ExamplesTests {
  static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")

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
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("example-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let process = Process()
    process.executableURL = try VRAEngineBinary.url
    process.arguments = [
      "apply", Self.examples.appendingPathComponent("\(example.name)/plan.yaml").path, "--output", "json",
    ]
    process.currentDirectoryURL = directory
    process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
    let output = directory.appendingPathComponent("report.json")
    FileManager.default.createFile(atPath: output.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = FileHandle.nullDevice
    try process.run()
    #expect(try await CrashResumeTests.waitForExit(process) == example.exitCode)
    let report = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: output))
    let stages = Dictionary(
      uniqueKeysWithValues: (report["stages"]?.arrayValue ?? []).compactMap { stage -> (String, String)? in
        guard let name = stage["name"]?.stringValue, let status = stage["status"]?.stringValue else { return nil }
        return (name, status)
      })
    #expect(stages == example.stages)
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".vra-engine/state.db").path))
  }
}
