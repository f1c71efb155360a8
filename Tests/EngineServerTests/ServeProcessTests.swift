import Foundation
import NIOHTTP1
import Synchronization
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import EngineServer

/// `vra-engine serve` as operators run it: a separate process, stopped with SIGTERM or killed with
/// SIGKILL while a run is in flight, then started again.
@Suite("serve: the process")
struct ServeProcessTests {
  let machine = ["templates/machine.yaml": EngineTemplates.machine]

  @Test(arguments: [SIGTERM, SIGKILL])
  func aRunInFlightWhenTheServiceStopsIsFinishedByTheNextStart(signal: Int32) async throws {
    try await ServeFixture.withSimulator(timeScale: 0.1) { simulator in
      let directory = try Scratch.directory()
      let config = directory.appendingPathComponent("serve.yaml")
      try Data(
        ServeFixture.configurationText(
          statePath: directory.appendingPathComponent("state.db").path, simulatorURL: simulator.baseURL
        ).utf8
      ).write(to: config)
      let a = ServeFixture.teamA

      let first = try await ServeProcess.start(config: config.path)
      let http = APICaller(baseURL: first.baseURL, checksEachAnswer: false)
      let submitted = try await http.call(
        .POST, "/api/v1/runs", token: a.token,
        json: [
          "plan": .string(ServeLifecycleTests.machinePlan), "files": .object(machine.mapValues(JSONValue.string)),
        ])
      let id = try #require(submitted.json["id"]?.stringValue, "\(submitted.json)")
      _ = try await pollForValue(timeout: .seconds(60)) { () async throws -> Bool? in
        let report = try await http.call(.GET, "/api/v1/runs/\(id)", token: a.token)
        return ["submitted", "running"].contains(report.json["stages"]?[0]?["status"]?.stringValue ?? "") ? true : nil
      }
      let status = try await first.stop(signal: signal)
      if signal == SIGTERM {
        #expect(status == 0, "a graceful shutdown exits 0")
        #expect(first.log.contains("handing back 1 run(s)"), "\(first.log)")
      }

      let second = try await ServeProcess.start(config: config.path)
      let again = APICaller(baseURL: second.baseURL, checksEachAnswer: false)
      let final = try await pollForValue(timeout: .seconds(90), every: .milliseconds(100)) {
        () async throws -> String? in
        let report = try await again.call(.GET, "/api/v1/runs/\(id)", token: a.token)
        let status = report.json["run"]?["status"]?.stringValue ?? ""
        return ["succeeded", "failed", "cancelled"].contains(status) ? status : nil
      }
      #expect(final == "succeeded")
      let stats = try await APICaller(baseURL: simulator.baseURL, checksEachAnswer: false).call(.GET, "/_sim/stats")
      #expect(stats.json["deploymentsCreated"]?.intValue == 1, "resumed by re-attaching, never resubmitted")
      #expect(try await second.stop(signal: SIGTERM) == 0)
      for log in [first.log, second.log] {
        #expect(!log.contains(a.password), "the tenant's vRA password reached a log line")
        #expect(!log.contains(a.token), "an API token reached a log line")
      }
      #expect(second.log.contains("tenant=team-a"), "log lines carry the tenant")
    }
  }
}

/// A `vra-engine serve` child process with its stderr collected.
final class ServeProcess: @unchecked Sendable {
  let process: Process
  let baseURL: String
  private let collected: LogCollector

  var log: String { collected.text }

  private init(process: Process, baseURL: String, collected: LogCollector) {
    self.process = process
    self.baseURL = baseURL
    self.collected = collected
  }

  /// `environment` is added to (and overrides) this process's environment and the defaults below.
  static func start(config: String, environment extra: [String: String] = [:]) async throws -> ServeProcess {
    let process = Process()
    process.executableURL = try VRAEngineBinary.url
    process.arguments = ["serve", "--config", config]
    // Trace level: every line the service can write is searched for the canaries.
    var environment = ProcessInfo.processInfo.environment
    environment["VRA_ENGINE_LOG_LEVEL"] = "trace"
    environment["VRA_ENGINE_LEASE_CHECK"] = "0.2"
    environment.merge(extra) { $1 }
    process.environment = environment
    let pipe = Pipe()
    process.standardError = pipe
    process.standardOutput = FileHandle.nullDevice
    let collected = LogCollector()
    pipe.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
    try process.run()
    let url = try await pollForValue(timeout: .seconds(30)) { () -> String? in
      guard process.isRunning else { throw ServeExited(log: collected.text) }
      guard let range = collected.text.range(of: #"API at (http://[0-9.:]+)/api/v1"#, options: .regularExpression)
      else { return nil }
      return String(collected.text[range].dropFirst("API at ".count).dropLast("/api/v1".count))
    }
    return ServeProcess(process: process, baseURL: url, collected: collected)
  }

  /// Sends `signal` and waits for the process to end; its exit status.
  func stop(signal: Int32) async throws -> Int32 {
    kill(process.processIdentifier, signal)
    return try await pollForValue(timeout: .seconds(60)) { () -> Int32? in
      process.isRunning ? nil : process.terminationStatus
    }
  }
}

struct ServeExited: Error, CustomStringConvertible {
  let log: String
  var description: String { "vra-engine serve exited before it listened:\n\(log)" }
}

final class LogCollector: Sendable {
  private let state = Mutex(Data())
  func append(_ data: Data) { state.withLock { $0.append(data) } }
  var text: String { state.withLock { String(decoding: $0, as: UTF8.self) } }
}
