import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// `cancel` from another process while an `apply` runs: two real processes sharing one state file.
/// (`runs`, `destroy` and `prune` one after another run in-process: VRAEngineCLITests/RunCommandsTests.)
@Suite(.serialized) struct RunCommandsTests {
  static func run(_ arguments: [String], simulator: String, in directory: URL) async throws -> (Int32, String) {
    let log = directory.appendingPathComponent("stderr-\(UUID().uuidString).log")
    let process = try CrashResumeTests.start(arguments, simulator: simulator, in: directory, standardError: log)
    let status = try await CrashResumeTests.waitForExit(process)
    return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
  }

  static func workspace() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for (name, text) in [
      "plan.yaml": CrashResumeTests.plan, "network.yaml": EngineTemplates.network,
      "machine.yaml": EngineTemplates.machine, "app.yaml": EngineTemplates.app,
    ] {
      try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return directory
  }

  @Test func cancelFromAnotherProcessStopsARunningApply() async throws {
    // The first stage's network takes two minutes, so the cancel (a second process, started under
    // whatever load the machine has) always finds it in flight; the cancel ends the run long before.
    let slowFirstStage: (inout SimulatorConfiguration) -> Void = {
      $0.timeScale = 0.2
      $0.durations.resourceTypes["Cloud.Network"] = 600
    }
    try await SimulatorHarness.with(slowFirstStage) { harness in
      let directory = try Self.workspace()
      defer { try? FileManager.default.removeItem(at: directory) }
      let url = harness.server.baseURL
      let apply = try CrashResumeTests.start(["apply", "plan.yaml"], simulator: url, in: directory)
      // Wait until the first stage is in flight in vRA.
      let session = try await SimulatorSession.start(harness)
      _ = try await harness.http.poll(timeout: .seconds(30)) { () -> Bool? in
        let page = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self)
        return page.content.isEmpty ? nil : true
      }
      let store = try await SQLStateStore.openSQLite(at: directory.appendingPathComponent(".vra-engine/state.db").path)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      let (cancelled, _) = try await Self.run(["cancel", runId.rawValue], simulator: url, in: directory)
      #expect(cancelled == 0)
      #expect(try await CrashResumeTests.waitForExit(apply) == 130, "the running apply ends as cancelled")
      #expect(try await store.run(runId)?.status == .cancelled)
      let stages = try await store.stages(of: runId)
      try await store.close()
      // The owner acts within a lease check: a stage vRA finished before that is recorded succeeded,
      // the ones in flight are cancelled in vRA, the rest never start. The store agrees with vRA.
      #expect(stages.contains { $0.status == .cancelled }, "\(stages.map(\.status))")
      #expect(
        stages.allSatisfy { [.cancelled, .skipped, .succeeded, .pending].contains($0.status) },
        "\(stages.map(\.status))")
      let requests = try await session.get("/blueprint/api/blueprint-requests").decode(Page<BlueprintRequest>.self)
      for stage in stages where stage.deploymentId != nil {
        let request = requests.content.first { $0.deploymentId == stage.deploymentId }
        #expect(
          request?.status == (stage.status == .succeeded ? .finished : .cancelled),
          "stage \(stage.name) is \(stage.status), its request \(request?.status?.rawValue ?? "none")")
      }
    }
  }
}
