import EngineRuntime
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@testable import VRAEngineCLI

/// Runs `vra-engine` command lines in this process, as the binary would run them: the same
/// parsing, the same error reporting and the same exit status (`VRAEngineCommand.main`, which the
/// executable's `runProcess` calls too), with stdout and stderr captured through `Terminal`'s
/// task-local sink. Each run gets its own environment, log settings and "current directory" (where
/// `vra-engine.toml` and `.vra-engine/` are looked for); paths given as arguments must be absolute,
/// since the process's real working directory is shared by every test.
enum CLIHarness {
  struct Outcome: Sendable {
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

  /// What the command printed, in order.
  final class Capture: Sendable {
    private let chunks = Mutex<[(TerminalSink.Stream, String)]>([])

    func write(_ stream: TerminalSink.Stream, _ text: String) { chunks.withLock { $0.append((stream, text)) } }

    func text(of stream: TerminalSink.Stream) -> String {
      chunks.withLock { $0.filter { $0.0 == stream }.map(\.1).joined() }
    }
  }

  /// Log lines go where the binary sends them (stderr, through `Terminal`'s sink), once per process.
  private static let logging: Void = LogSetup.bootstrap

  /// Runs `vra-engine arguments...`.
  /// - Parameters:
  ///   - environment: the command's whole environment, besides `PATH` and an empty `HOME` of its
  ///     own (so no config file or state of the machine's user is found).
  ///   - directory: the command's current directory; a new empty one by default.
  ///   - terminal: whether stdout and stderr look like a terminal (the progress table, `graph`'s text).
  static func run(
    _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, terminal: Bool = false
  ) async throws -> Outcome {
    _ = logging
    let directory = try directory ?? Scratch.directory()
    var variables = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin", "HOME": try Scratch.directory().path,
    ]
    variables.merge(environment) { $1 }
    let capture = Capture()
    let log = LogControl { capture.write(.standardError, $0) }
    if let level = variables["VRA_ENGINE_LOG_LEVEL"].flatMap({ Logger.Level(rawValue: $0.lowercased()) }) {
      log.level = level
    }
    let context = CommandContext(
      environment: variables, currentDirectory: directory.path,
      output: TerminalSink(write: capture.write, isTerminal: { _ in terminal }), standardInputIsTerminal: false)
    let status = await LogControl.$scoped.withValue(log) {
      await CommandContext.$current.withValue(context) { await VRAEngineCommand.main(arguments: arguments) }
    }
    return Outcome(status: status, stdout: capture.text(of: .standardOutput), stderr: capture.text(of: .standardError))
  }
}

/// Temporary files for one test (`Scratch.directory()`, `Scratch.file(_:_:)` from TestSupport).
extension Scratch {
  /// Writes each file into `directory` and returns it.
  @discardableResult
  static func files(_ files: [String: String], in directory: URL) throws -> URL {
    for (name, text) in files {
      let url = directory.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
    }
    return directory
  }
}

extension CLIHarness {
  /// The variables that point a command at `harness`'s simulator as its seeded admin.
  static func credentials(_ harness: SimulatorHarness) -> [String: String] {
    [
      "VRA_URL": harness.server.baseURL, "VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!",
      "VRA_DOMAIN": "vsphere.local",
    ]
  }
}

extension CLIHarness {
  /// `arguments` with each one that names a file in `directory` (`plan.yaml`) made its absolute path:
  /// a command line as a user types it in that directory, runnable in-process.
  static func resolving(_ arguments: [String], in directory: URL) -> [String] {
    arguments.map { argument in
      let path = directory.appendingPathComponent(argument).path
      return !argument.hasPrefix("-") && !argument.hasPrefix("/") && FileManager.default.fileExists(atPath: path)
        ? path : argument
    }
  }

  /// `vra-engine arguments...` run in `directory` as a user would (file names resolved there),
  /// pointed at `harness` when given.
  static func run(
    _ arguments: [String], in directory: URL, harness: SimulatorHarness?, environment: [String: String] = [:]
  ) async throws -> Outcome {
    var variables = harness.map(credentials) ?? [:]
    variables.merge(environment) { $1 }
    return try await run(resolving(arguments, in: directory), environment: variables, directory: directory)
  }
}
