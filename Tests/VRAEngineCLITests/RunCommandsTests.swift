import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// `runs`, `destroy` and `runs prune` as an operator uses them, one after another on one state
/// file, in-process. (Two processes at once, a stalled owner and Ctrl-C stay real processes:
/// EngineTests/Orchestration/RunCommandsTests and EngineTests/Recovery/RecoveryCommandTests.)
@Suite(.serialized) struct RunCommandsTests {
  static func workspace(plan: String = EngineTemplates.sixStagePlan) throws -> URL {
    try Scratch.files(
      [
        "plan.yaml": plan, "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine,
        "app.yaml": EngineTemplates.app,
      ], in: Scratch.directory())
  }

  static func store(_ directory: URL) async throws -> SQLStateStore {
    try await SQLStateStore.openSQLite(at: directory.appendingPathComponent(".vra-engine/state.db").path)
  }

  static func live(_ runId: RunID, _ harness: SimulatorHarness) async throws -> Int {
    let session = try await SimulatorSession.start(harness)
    return try await session.get("/deployment/api/deployments?search=\(runId)").decode(Page<Deployment>.self).content
      .count
  }

  @Test func applyThenRunsShowThenDestroyRemovesEverything() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Self.workspace()
      let applied = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(applied.status == 0, "\(applied.stderr)")
      let listed = try await CLIHarness.run(["runs"], in: directory, harness: harness)
      #expect(listed.status == 0)
      let store = try await Self.store(directory)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      try await store.close()
      let shown = try await CLIHarness.run(
        ["runs", "show", runId.rawValue, "--output", "json"], in: directory, harness: harness)
      #expect(shown.status == 0)

      #expect(try await Self.live(runId, harness) == 6)
      let destroyed = try await CLIHarness.run(["destroy", runId.rawValue, "-y"], in: directory, harness: harness)
      #expect(destroyed.status == 0, "\(destroyed.stderr)")
      #expect(try await Self.live(runId, harness) == 0)
      let again = try await CLIHarness.run(["destroy", runId.rawValue, "-y"], in: directory, harness: harness)
      #expect(again.status == 0, "destroying twice is harmless")
      let unknown = try await CLIHarness.run(["runs", "show", "nosuchrun"], in: directory, harness: harness)
      #expect(unknown.status == 2)
      #expect(unknown.stderr.contains("nosuchrun"))
    }
  }

  /// A run remembers its vRA. `destroy` with no endpoint set acts on the recorded one (not on an
  /// embedded simulator that answers 404 for everything); another endpoint is refused.
  @Test func destroyUsesTheRunsOwnEndpointAndRefusesAnother() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Self.workspace()
      let url = harness.server.baseURL
      let applied = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(applied.status == 0, "\(applied.stderr)")
      let store = try await Self.store(directory)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      #expect(try await store.run(runId)?.target?.endpoint.hasPrefix(url) == true)
      try await store.close()

      let other = "http://127.0.0.1:9"  // nothing listens there
      let refused = try await CLIHarness.run(
        ["destroy", runId.rawValue, "-y", "--endpoint", other], in: directory, harness: nil)
      #expect(refused.status == 2, "\(refused.stderr)")
      #expect(refused.stderr.contains("ran against \(url)"), "\(refused.stderr)")
      #expect(try await Self.live(runId, harness) == 6, "a refused destroy deleted nothing")

      // Without a terminal, destroy wants -y; --dry-run lists and deletes nothing.
      let unconfirmed = try await CLIHarness.run(["destroy", runId.rawValue], in: directory, harness: harness)
      #expect(unconfirmed.status == 2, "\(unconfirmed.stderr)")
      #expect(unconfirmed.stderr.contains("--auto-approve"), "\(unconfirmed.stderr)")
      let listedOnly = try await CLIHarness.run(
        ["destroy", runId.rawValue, "--dry-run"], in: directory, harness: harness)
      #expect(listedOnly.status == 0, "\(listedOnly.stderr)")
      #expect(listedOnly.stderr.contains("edge: deployment edge-\(runId)"), "\(listedOnly.stderr)")
      #expect(try await Self.live(runId, harness) == 6, "neither deleted anything")

      // No endpoint at all: the recorded one, with credentials from the environment.
      let destroyed = try await CLIHarness.run(
        ["destroy", runId.rawValue, "-y"], in: directory, harness: nil,
        environment: ["VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!", "VRA_DOMAIN": "vsphere.local"])
      #expect(destroyed.status == 0, "\(destroyed.stderr)")
      #expect(!destroyed.stderr.contains("embedded simulator"), "\(destroyed.stderr)")
      #expect(try await Self.live(runId, harness) == 0, "the deployments on the run's own vRA are gone")
      let after = try await Self.store(directory)
      #expect(try await after.run(runId)?.status == .destroyed)
      #expect(try await after.stages(of: runId).allSatisfy { $0.status == .destroyed })
      try await after.close()
      // A destroyed run cannot be resumed; runs lists it as destroyed.
      let resumed = try await CLIHarness.run(
        ["apply", "plan.yaml", "--resume", runId.rawValue], in: directory, harness: harness)
      #expect(resumed.status == 2, "\(resumed.stderr)")
      #expect(resumed.stderr.contains("destroyed"), "\(resumed.stderr)")
      let listed = try await CLIHarness.run(["runs"], in: directory, harness: nil)
      #expect(listed.stdout.contains("destroyed"), "\(listed.stdout)")
    }
  }

  /// A stage naming a project vRA does not have is found before anything is sent.
  @Test func anUnknownProjectIsFoundBeforeAnythingIsSent() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Self.workspace(
        plan: EngineTemplates.sixStagePlan.replacingOccurrences(
          of: "edge: {template: network.yaml,", with: "edge: {template: network.yaml, project: Productoin,"))
      for arguments in [["apply", "plan.yaml"], ["apply", "plan.yaml", "--dry-run"]] {
        let run = try await CLIHarness.run(arguments, in: directory, harness: harness)
        #expect(run.status == 2, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains("stage 'edge': no project 'Productoin'"), "\(run.stderr)")
        #expect(run.stderr.contains("[/stages/edge/project]"), "\(run.stderr)")
      }
      #expect(await harness.server.stats().deploymentsCreated == 0, "nothing was submitted")
      let store = try await Self.store(directory)
      #expect(try await store.runs(limit: 5).isEmpty, "no run was recorded")
      try await store.close()
    }
  }

  /// `runs prune` removes runs that sent nothing to vRA, and keeps the others.
  @Test func pruneRemovesRunsThatSentNothing() async throws {
    let directory = try Self.workspace()
    let store = try await Self.store(directory)
    let idle = try await store.createRun(
      id: .generate(), planName: "p", planPath: "plan.yaml", planDigest: "d", options: [:], stages: ["a"])
    try await store.updateRunStatus(idle.id, to: .failed)
    let sent = try await store.createRun(
      id: .generate(), planName: "p", planPath: "plan.yaml", planDigest: "d", options: [:], stages: ["a"])
    try await store.updateRunStatus(sent.id, to: .running)
    try await store.recordIntent(run: sent.id, stage: "a", deploymentName: "a-1", projectId: "p", attempt: 1)
    try await store.recordStageFailure(
      run: sent.id, stage: "a", error: RecordedError(errorClass: .deployment, message: "y"))
    try await store.updateRunStatus(sent.id, to: .failed)
    let dry = try await CLIHarness.run(["runs", "prune", "--dry-run"], in: directory, harness: nil)
    #expect(dry.status == 0)
    #expect(dry.stdout.contains("would remove \(idle.id)") && !dry.stdout.contains("\(sent.id)"), "\(dry.stdout)")
    #expect(try await store.run(idle.id) != nil, "a dry run removes nothing")
    let pruned = try await CLIHarness.run(["runs", "prune"], in: directory, harness: nil)
    #expect(pruned.status == 0)
    #expect(try await store.run(idle.id) == nil)
    #expect(try await store.run(sent.id) != nil, "a run that reached vRA stays")
    try await store.close()
  }
}
