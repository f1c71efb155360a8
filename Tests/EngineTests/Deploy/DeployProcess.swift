import Credentials
import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

/// Runs the `vra-engine deploy` binary in a fresh temporary directory.
enum Deploy {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
    var directory: URL
  }

  /// A `vra-engine` process still running, its output going to files in its directory.
  struct Running {
    let process: Process
    let directory: URL
    var stdout: URL { directory.appendingPathComponent("stdout.txt") }
    var stderr: URL { directory.appendingPathComponent("stderr.txt") }

    func stderrText() -> String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

    func finish(timeout: Duration = .seconds(120)) async throws -> Result {
      let status = try await CrashResumeTests.waitForExit(process, timeout: timeout)
      return Result(
        status: status, stdout: try String(contentsOf: stdout, encoding: .utf8),
        stderr: try String(contentsOf: stderr, encoding: .utf8), directory: directory)
    }
  }

  /// Runs `vra-engine deploy ARGUMENTS` (or `COMMAND ARGUMENTS`) in a new temporary directory holding `files`.
  /// - Parameter simulator: nil runs with no endpoint configured (the embedded simulator);
  ///   otherwise the state goes to `state.db` in the directory.
  static func run(
    _ arguments: [String], command: String = "deploy", files: [String: String] = [:], simulator: SimulatorHarness?,
    environment extra: [String: String] = [:], in existing: URL? = nil, timeout: Duration = .seconds(120)
  ) async throws -> Result {
    try await start(arguments, command: command, files: files, simulator: simulator, environment: extra, in: existing)
      .finish(timeout: timeout)
  }

  static func start(
    _ arguments: [String], command: String = "deploy", files: [String: String] = [:], simulator: SimulatorHarness?,
    environment extra: [String: String] = [:], in existing: URL? = nil
  ) throws -> Running {
    let directory =
      existing ?? FileManager.default.temporaryDirectory.appendingPathComponent("deploy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for (name, text) in files {
      try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
    var state: [String] = []
    if let simulator {
      environment.merge([
        "VRA_URL": simulator.server.baseURL, "VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!",
        "VRA_DOMAIN": "vsphere.local",
      ]) { $1 }
      state = ["--state", "state.db"]
    }
    environment.merge(extra) { $1 }
    let running = Running(process: Process(), directory: directory)
    FileManager.default.createFile(atPath: running.stdout.path, contents: nil)
    FileManager.default.createFile(atPath: running.stderr.path, contents: nil)
    let process = running.process
    process.executableURL = try VRAEngineBinary.url
    process.arguments = [command] + arguments + state
    process.currentDirectoryURL = directory
    process.environment = environment
    process.standardOutput = try FileHandle(forWritingTo: running.stdout)
    process.standardError = try FileHandle(forWritingTo: running.stderr)
    try process.run()
    return running
  }

  static func client(_ harness: SimulatorHarness) throws -> VRAClient { try client(harness.server.baseURL) }

  static func client(_ baseURL: String) throws -> VRAClient {
    try VRAClient(
      configuration: VRAClientConfiguration(
        endpoint: URL(string: baseURL)!,
        authentication: .password(username: "admin", password: Secret("VMware1!"), domain: "vsphere.local")))
  }
}
