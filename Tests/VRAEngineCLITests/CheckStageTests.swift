import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// Check stages as a pipeline uses them, against the simulator on 127.0.0.1: a command that reads
/// the run's outputs and secrets, a TCP port, a command past its timeout, and a cancel from another
/// terminal while a check runs. The smoke checks of the simulator's health URLs are in
/// `SmokeCheckTests`.
@Suite(.serialized) struct CheckStageTests {
  static let canary = "cAnArY-smoke-7d41f0"

  static func simulator(_ configuration: inout SimulatorConfiguration) {
    configuration.timeScale = 0.004
  }

  static func apply(
    _ plan: String, _ arguments: [String] = [], harness: SimulatorHarness, environment: [String: String] = [:],
    directory: URL? = nil
  ) async throws -> (CLIHarness.Outcome, URL) {
    let directory = try directory ?? Scratch.directory()
    _ = try Scratch.files(["plan.yaml": plan, "network.yaml": EngineTemplates.network], in: directory)
    let run = try await CLIHarness.run(
      ["apply", "plan.yaml"] + arguments + ["--state", directory.appendingPathComponent("state.db").path],
      in: directory, harness: harness, environment: environment)
    return (run, directory)
  }

  static func stage(_ name: String, of report: [String: Any]) throws -> [String: Any] {
    let stages = try #require(report["stages"] as? [[String: Any]])
    return try #require(stages.first { $0["name"] as? String == name })
  }

  @Test func aCommandCheckGetsTheOutputsAndSecretsAndItsOutputIsKeptRedacted() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let plan = """
        name: checks
        defaults: {project: Development}
        stages:
          net: {template: network.yaml}
          smoke:
            check:
              command:
                run: 'echo "network $NET"; echo "value: $TOKEN"; test -n "$NET" && test "$MODE" = quick'
                env: {NET: "${stages.net.outputs.networkId}", MODE: quick}
            secrets: {TOKEN: "env:SMOKE_TOKEN"}
        """
      let (run, directory) = try await Self.apply(
        plan, ["--output", "json", "--report", "junit=report.xml"], harness: harness,
        environment: ["SMOKE_TOKEN": Self.canary])
      #expect(run.status == 0, "\(run.stderr)")
      let report = try run.json()
      let network = try #require(
        (try Self.stage("net", of: report)["outputs"] as? [String: Any])?["networkId"] as? String)
      let smoke = try Self.stage("smoke", of: report)
      #expect(smoke["status"] as? String == "succeeded")
      let check = try #require(smoke["check"] as? [String: Any])
      #expect(check["kind"] as? String == "command" && check["passed"] as? Bool == true)
      #expect(check["exitStatus"] as? Int == 0)
      let output = try #require(check["output"] as? String)
      #expect(output.contains("network \(network)"), "the command saw the network's output: \(output)")
      #expect(output.contains("value: <redacted>"), "\(output)")
      // The canary is nowhere: not in what was printed, the state file or the JUnit report.
      let state = try Data(contentsOf: directory.appendingPathComponent("state.db"))
      let junit = try String(contentsOf: directory.appendingPathComponent("report.xml"), encoding: .utf8)
      #expect(!run.everything.contains(Self.canary))
      #expect(state.range(of: Data(Self.canary.utf8)) == nil)
      #expect(!junit.contains(Self.canary))
      #expect(junit.contains(#"classname="vra-engine.checks.check""#), "\(junit)")
      #expect(try await JUnitSchema.validate(directory.appendingPathComponent("report.xml")).valid)
    }
  }

  @Test func aCommandPastItsTimeoutIsStoppedWithWhatItStartedAndFailsItsStage() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let plan = """
        name: checks
        defaults: {project: Development, onFailure: continue}
        stages:
          slow:
            check:
              command: {run: 'sleep 300 & echo $! > child.pid; echo waiting; wait', timeout: 1s}
          after:
            check: {command: {run: "true"}}
            dependsOn: [slow]
        """
      let (run, directory) = try await Self.apply(plan, ["--output", "json"], harness: harness)
      #expect(run.status == 1, "\(run.stderr)")
      let report = try run.json()
      let slow = try Self.stage("slow", of: report)
      #expect(slow["status"] as? String == "failed")
      let check = try #require(slow["check"] as? [String: Any])
      #expect((check["last"] as? String)?.contains("did not end within 1s") == true, "\(check)")
      #expect((check["output"] as? String)?.contains("waiting") == true, "\(check)")
      #expect(try Self.stage("after", of: report)["status"] as? String == "skipped")
      // The background `sleep` was in the command's process group: it went with it.
      let pidText = try String(contentsOf: directory.appendingPathComponent("child.pid"), encoding: .utf8)
      let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
      let gone = await pollUntil(timeout: .seconds(20)) { kill(pid, 0) != 0 }
      #expect(gone, "the command's child \(pid) still runs")
    }
  }

  @Test func aTCPCheckPassesOnAnOpenPortAndFailsOnAClosedOne() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let port = try #require(URLComponents(string: harness.http.baseURL)?.port)
      let closed = try LoopbackPort.free()
      let plan = """
        name: checks
        defaults: {project: Development, onFailure: continue}
        stages:
          open:
            check: {tcp: {host: 127.0.0.1, port: \(port)}}
          shut:
            check: {tcp: {host: 127.0.0.1, port: "${env.CLOSED_PORT}", interval: 200ms, timeout: 1s}}
        """
      let (run, _) = try await Self.apply(
        plan, ["--output", "json"], harness: harness, environment: ["CLOSED_PORT": String(closed)])
      #expect(run.status == 1, "\(run.stderr)")
      let report = try run.json()
      #expect(try Self.stage("open", of: report)["status"] as? String == "succeeded")
      let shut = try Self.stage("shut", of: report)
      #expect(shut["status"] as? String == "failed")
      let check = try #require(shut["check"] as? [String: Any])
      #expect(check["last"] as? String == "connection refused", "\(check)")
      #expect((check["attempts"] as? Int ?? 0) > 1, "it tried again within its timeout: \(check)")
      let error = try #require(shut["error"] as? [String: Any])
      #expect((error["message"] as? String)?.contains("did not pass") == true, "\(error)")
    }
  }

  /// `vra-engine cancel` from another terminal while a command check runs: the command is stopped,
  /// the stage and the run end cancelled, and the deployed stage before it is left as it is.
  @Test func aCancelFromAnotherTerminalStopsARunningCheck() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let directory = try Scratch.directory()
      let plan = """
        name: checks
        defaults: {project: Development}
        stages:
          net: {template: network.yaml}
          wait:
            check: {command: {run: 'echo $$ > check.pid; exec sleep 300'}}
            dependsOn: [net]
        """
      let applying = Task { try await Self.apply(plan, harness: harness, directory: directory) }
      let pidFile = directory.appendingPathComponent("check.pid")
      let pid = try await pollForValue(timeout: .seconds(60)) { () -> pid_t? in
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
      }
      let state = directory.appendingPathComponent("state.db").path
      let store = try await SQLStateStore.open(try StateDatabase.parse(state))
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      let cancel = try await CLIHarness.run(
        ["cancel", runId.rawValue, "--state", state], in: directory, harness: harness)
      #expect(cancel.status == 0, "\(cancel.stderr)")
      let (run, _) = try await applying.value
      #expect(run.status == 130, "\(run.stderr)")
      #expect(try await store.stage(run: runId, name: "wait")?.status == .cancelled)
      #expect(try await store.stage(run: runId, name: "net")?.status == .succeeded)
      #expect(try await store.run(runId)?.status == .cancelled)
      try await store.close()
      let gone = await pollUntil(timeout: .seconds(20)) { kill(pid, 0) != 0 }
      #expect(gone, "the check's command \(pid) still runs")
    }
  }
}
