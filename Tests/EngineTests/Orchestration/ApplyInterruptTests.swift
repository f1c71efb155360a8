import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Ctrl-C during `vra-engine apply`: a signal to a real process, from the built binary against a
/// simulator on 127.0.0.1. (Everything else about `apply` runs in-process: VRAEngineCLITests.)
@Suite(.serialized) struct ApplyInterruptTests {
  static let files = [
    "plan.yaml": EngineTemplates.sixStagePlan, "network.yaml": EngineTemplates.network,
    "machine.yaml": EngineTemplates.machine, "app.yaml": EngineTemplates.app,
  ]
  static let creates = "POST /blueprint/api/blueprint-requests"

  /// Ctrl-C once the request is in vRA: with its answer already read, or (a POST whose answer is
  /// late) while the stage is still `submitting` with no ids, when the deployment is found by its name.
  @Test(arguments: [nil, 5.0])
  func ctrlCCancelsTheRequestInVRAAndExits130(answerDelayedBy seconds: Double?) async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 0.2
      $0.faults.enabled = seconds != nil
    }) { harness in
      if let seconds {
        try await harness.server.addFault(
          FaultRule(
            method: "POST", path: "/blueprint/api/blueprint-requests", delayAfterCommitSeconds: seconds, times: 1))
      }
      let apply = try Deploy.start(["plan.yaml"], command: "apply", files: Self.files, simulator: harness)
      defer { try? FileManager.default.removeItem(at: apply.directory) }
      let session = try await SimulatorSession.start(harness)
      let requestId = try await harness.http.poll(timeout: .seconds(30)) { () -> String? in
        try await session.get("/blueprint/api/blueprint-requests").decode(Page<BlueprintRequest>.self).content.first?.id
      }
      kill(apply.process.processIdentifier, SIGINT)
      let result = try await apply.finish(timeout: .seconds(60))
      #expect(result.status == 130, "stderr: \(result.stderr)")
      let request = try await session.get("/blueprint/api/blueprint-requests/\(requestId)")
        .decode(BlueprintRequest.self)
      #expect(request.status == .cancelled, "the blueprint request was cancelled through the API")
      let store = try await SQLStateStore.openSQLite(at: apply.directory.appendingPathComponent("state.db").path)
      let run = try #require(try await store.runs(limit: 1).first)
      try await store.close()
      #expect(run.status == .cancelled, "the cancel is recorded")
    }
  }

  @Test func aSecondCtrlCExitsAtOnceAndTheStateStaysUsable() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 0.2
      $0.faults.enabled = true
    }) { harness in
      // vRA is slow to accept the cancel: the first Ctrl-C would wait 8 s for it.
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/blueprint/api/blueprint-requests/", delaySeconds: 8))
      let apply = try Deploy.start(["plan.yaml"], command: "apply", files: Self.files, simulator: harness)
      defer { try? FileManager.default.removeItem(at: apply.directory) }
      let session = try await SimulatorSession.start(harness)
      _ = try await harness.http.poll(timeout: .seconds(30)) { () -> Bool? in
        try await session.get("/blueprint/api/blueprint-requests").decode(Page<BlueprintRequest>.self).content
          .isEmpty ? nil : true
      }
      kill(apply.process.processIdentifier, SIGINT)
      _ = try await harness.http.poll(timeout: .seconds(10)) { () -> Bool? in
        apply.stderrText().contains("cancelling the run") ? true : nil
      }
      let secondAt = ContinuousClock.now
      kill(apply.process.processIdentifier, SIGINT)
      let result = try await apply.finish(timeout: .seconds(25))
      #expect(result.status == 130)
      #expect(ContinuousClock.now - secondAt < .seconds(4), "the second Ctrl-C does not wait for vRA")
      #expect(result.stderr.contains("exiting without waiting"), "\(result.stderr)")

      // The state database opens and answers; the run can be resumed to its end.
      let store = try await SQLStateStore.openSQLite(at: apply.directory.appendingPathComponent("state.db").path)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      try await store.close()
      let shown = try await Deploy.run(
        ["show", runId.rawValue, "--output", "json"], command: "runs", simulator: harness, in: apply.directory)
      #expect(shown.status == 0, "stderr: \(shown.stderr)")
      #expect(try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(shown.stdout.utf8)).run.id == runId.rawValue)
    }
  }
}
