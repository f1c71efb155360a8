import Foundation
import TestSupport
import Testing

/// Runs the built `vra-engine` executable as a user does and captures what it prints.
struct CLIRunner {
  struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout and stderr together, for "never printed anywhere" checks.
    var everything: String { stdout + stderr }

    /// stdout parsed as a JSON object.
    func json() throws -> [String: Any] {
      let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
      return try #require(object as? [String: Any], "stdout is not a JSON object: \(stdout)")
    }
  }

  /// The `vra-engine` executable next to the test bundle (both are built by `swift build --build-tests`);
  /// the same lookup as `VRASimulatorTests/CommandLineTests`.
  static var executable: URL {
    get throws {
      var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      for _ in 0..<3 {
        let candidate = directory.appendingPathComponent("vra-engine")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory.deleteLastPathComponent()
      }
      let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/vra-engine")
      try #require(FileManager.default.isExecutableFile(atPath: fallback.path), "build vra-engine first")
      return fallback
    }
  }

  /// Runs `vra-engine arguments...` with the current environment minus every `VRA_INPUT_` variable,
  /// plus `environment`. Output goes to files, so a large output cannot block the process on a pipe.
  static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
    let directory = try Scratch.directory()
    let stdoutURL = directory.appendingPathComponent("stdout")
    let stderrURL = directory.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    let stdout = try FileHandle(forWritingTo: stdoutURL)
    let stderr = try FileHandle(forWritingTo: stderrURL)
    let process = Process()
    process.executableURL = try executable
    process.arguments = arguments
    var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("VRA_INPUT_") }
    inherited.merge(environment) { _, new in new }
    process.environment = inherited
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try await ChildProcess.run(process)
    try stdout.close()
    try stderr.close()
    return Outcome(
      status: process.terminationStatus,
      stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
      stderr: try String(contentsOf: stderrURL, encoding: .utf8))
  }
}

/// Unique temporary files for one test.
enum Scratch {
  static func directory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "vra-engine-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Writes `text` to a new file named `name` and returns its path.
  static func file(_ name: String, _ text: String) throws -> String {
    let url = try directory().appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
  }
}
