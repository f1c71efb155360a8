import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

/// The recovery paths of issue 12, in-process against the simulator: each failed on the main of
/// 2026-12-02 ("a bug in the engine", two owners, a cancel that lied).
@Suite(.serialized) struct RecoveryPathTests {
  static let chain = """
    name: chain
    defaults: {project: Development, onFailure: stop}
    stages:
      a: {template: network.yaml, deploymentName: "a-${run.id}"}
      b: {template: b.yaml, deploymentName: "b-${run.id}", dependsOn: [a]}
      c: {template: network.yaml, deploymentName: "c-${run.id}", dependsOn: [b]}
    """

  static func failing(_ resource: String) -> String {
    """
    formatVersion: 1
    resources:
      \(resource):
        type: Cloud.Machine
        properties: {image: ubuntu}
    """
  }

  /// `chain` on a simulator where b's resource fails, with a new run created.
  static func chainWithFailingB() async throws -> (OrchestrationHarness, Plan, Orchestrator, RunID) {
    let harness = try await OrchestrationHarness.start {
      $0.faults.enabled = true
      $0.faults.failResources = ["doomed"]
      $0.uniqueDeploymentNames = false
    }
    let plan = try harness.plan([
      "plan.yaml": Self.chain, "network.yaml": EngineTemplates.network, "b.yaml": Self.failing("doomed"),
    ])
    let orchestrator = harness.orchestrator(plan)
    return (harness, plan, orchestrator, try await orchestrator.createRun(planDigest: "test"))
  }

  /// Problem 1: `a → b → c`, b fails, c is skipped; the template is fixed and the run resumed: it
  /// ends succeeded, with one deployment per stage and b's failed one replaced.
  @Test func aResumeAfterTheCauseIsFixedEndsSucceeded() async throws {
    let (harness, _, orchestrator, runId) = try await Self.chainWithFailingB()
    defer { Task { await harness.stop() } }
    let failed = try await orchestrator.run(runId)
    #expect(failed.status == .failed)
    let before = Dictionary(
      uniqueKeysWithValues: try await harness.store.stages(of: runId).map { ($0.name, $0.status) })
    #expect(before == ["a": .succeeded, "b": .failed, "c": .skipped])

    // The cause is fixed: the template no longer has the failing resource.
    try Self.failing("healthy").write(
      to: harness.directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
    let resumed = try await orchestrator.run(runId)
    #expect(resumed.status == .succeeded)
    let after = try await harness.store.stages(of: runId)
    #expect(after.allSatisfy { $0.status == .succeeded }, "\(after.map(\.status))")
    #expect(try await harness.deploymentNames() == ["a-\(runId)", "b-\(runId)", "c-\(runId)"])
    let refused = try await harness.store.events(of: runId).filter { $0.message.contains("cannot go from") }
    #expect(refused.isEmpty)
  }

  /// A stage reset by a resume keeps its earlier attempt's deployment until it is submitted again;
  /// when the resumed run stops before that (Ctrl-C, a cancel: the stage ends skipped), destroy
  /// still deletes it (found by the model test, seed 800537295 sequence 93).
  @Test func destroyDeletesTheEarlierAttemptOfAStageSkippedAfterAResume() async throws {
    let (harness, plan, orchestrator, runId) = try await Self.chainWithFailingB()
    defer { Task { await harness.stop() } }
    #expect(try await orchestrator.run(runId).status == .failed)
    #expect(try await harness.store.stage(run: runId, name: "b")?.deploymentId != nil)

    // The resume's reset, then the run stopped before b was submitted again.
    let store = harness.store
    try await store.updateRunStatus(runId, to: .running)
    try await store.recordStageStatus(run: runId, stage: "b", to: .pending)
    try await store.recordStageStatus(run: runId, stage: "b", to: .skipped)
    try await store.updateRunStatus(runId, to: .cancelled)
    #expect(try await harness.deploymentNames() == ["a-\(runId)", "b-\(runId)"])

    let (status, failed) = try await RunDestroyer(client: harness.client, store: store, tracking: harness.tracker)
      .destroy(runId, order: plan.stageNames)
    #expect(status == .destroyed && failed.isEmpty)
    #expect(try await harness.deploymentNames().isEmpty)
  }

  /// Problem 2: while one owner works on a run, a second (another store, as another process has)
  /// cannot resume it; its cancel goes through the store and the owner carries it out.
  @Test func aSecondProcessCannotDriveALiveRunButCanAskItToCancel() async throws {
    let harness = try await OrchestrationHarness.start { $0.timeScale = 0.1 }
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": Self.chain, "network.yaml": EngineTemplates.network, "b.yaml": Self.failing("slow"),
    ])
    let fast = LeaseSettings(duration: .seconds(30), checkInterval: .milliseconds(100))
    let owner = Orchestrator(
      plan: plan, client: harness.client, store: harness.store, tracking: harness.tracker, lease: fast)
    let runId = try await owner.createRun(planDigest: "test")
    let running = Task { try await owner.run(runId) }

    let other = try await SQLStateStore.openSQLite(at: harness.directory.appendingPathComponent("state.db").path)
    // Wait until the owner holds the lease and a stage is in flight.
    _ = try await harness.simulator.http.poll(timeout: .seconds(30)) { () -> Bool? in
      let stages = try await other.stages(of: runId)
      return stages.contains { $0.status == .running } ? true : nil
    }
    let second = Orchestrator(
      plan: plan, client: harness.client, store: other, tracking: harness.tracker, lease: fast)
    let refusal = await #expect(throws: StateStoreError.self) { try await second.run(runId) }
    guard case .runOwned(_, let by, _)? = refusal else {
      Issue.record("expected runOwned, got \(String(describing: refusal))")
      return
    }
    #expect(by.id == harness.store.owner.id)
    // Nor can it write to the run directly.
    await #expect(throws: StateStoreError.self) { try await other.updateRunStatus(runId, to: .failed) }

    let outcome = try await RunCanceller(client: harness.client, store: other, tracking: harness.tracker, lease: fast)
      .cancel(runId, wait: .seconds(60))
    guard case .cancelled(let report) = outcome else {
      Issue.record("expected a cancel, got \(outcome)")
      return
    }
    #expect(report.carriedOutBy?.id == harness.store.owner.id, "the owner carried the cancel out")
    #expect(report.status == .cancelled)
    #expect(report.stages.contains { $0.outcome == .cancelled }, "\(report.stages)")
    let ended = try await running.value
    #expect(ended.status == .cancelled)
    // What the store says agrees with vRA: no request of the run is still going.
    for stage in try await other.stages(of: runId) where stage.deploymentId != nil {
      let deployment = try await harness.client.deployment(id: stage.deploymentId!, expand: [.lastRequest])
      let status = deployment.lastRequest?.status
      #expect(
        status == (stage.status == .succeeded ? .successful : .aborted), "\(stage.name): \(String(describing: status))")
    }
    try await other.close()
  }

  /// Problem 4: a cancel of requests vRA had already finished says so, and records them as they
  /// ended (succeeded, with outputs), instead of reporting them cancelled.
  @Test func aCancelOfFinishedRequestsSaysSoAndRecordsTheirEnd() async throws {
    let harness = try await OrchestrationHarness.start()
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": """
      name: single
      defaults: {project: Development}
      stages:
        only: {template: network.yaml, deploymentName: "only-${run.id}"}
      """,
      "network.yaml": EngineTemplates.network,
    ])
    let orchestrator = Orchestrator(
      plan: plan, client: harness.client, store: harness.store, tracking: harness.tracker, waitForCompletion: false)
    let runId = try await orchestrator.createRun(planDigest: "test")
    #expect(try await orchestrator.run(runId).status == .submitted)
    let deploymentId = try #require(try await harness.store.stage(run: runId, name: "only")?.deploymentId)
    _ = try await harness.simulator.http.poll(timeout: .seconds(30)) { () -> Bool? in
      let deployment = try await harness.client.deployment(id: deploymentId, expand: [.lastRequest])
      return deployment.lastRequest?.status == .successful ? true : nil
    }
    let outcome = try await RunCanceller(client: harness.client, store: harness.store, tracking: harness.tracker)
      .cancel(runId)
    guard case .cancelled(let report) = outcome else {
      Issue.record("expected a report, got \(outcome)")
      return
    }
    #expect(report.carriedOutBy == nil, "nobody owned the submitted run: cancelled here")
    #expect(report.stages.map(\.name) == ["only"])
    guard case .alreadyFinished? = report.stages.first?.outcome else {
      Issue.record("vRA had finished the request: \(report.stages)")
      return
    }
    #expect(report.status == .succeeded, "the run is recorded as it ended")
    let stage = try #require(try await harness.store.stage(run: runId, name: "only"))
    #expect(stage.status == .succeeded)
    #expect(stage.outputs?["networkId"] != nil, "outputs were read as for any finished stage")
  }

  /// An action stage whose process died between the action's POST and recording its request id,
  /// cancelled by `vra-engine cancel` (nobody owns the run): the action's request is found on the
  /// deployment after the stage's baseline and cancelled in vRA, so a resume cannot send the action
  /// a second time while the first still runs.
  @Test func aCancelFindsTheActionRequestOfAStageCutShortAfterItsPost() async throws {
    let harness = try await OrchestrationHarness.start()
    defer { Task { await harness.stop() } }
    try await harness.simulator.server.setApprovalPolicies([
      ApprovalPolicy(name: "power", projects: [], actions: ["Deployment.PowerOff"])
    ])
    let deployed = try harness.plan([
      "plan.yaml": """
      name: vm
      defaults: {project: Development}
      stages:
        vm: {template: machine.yaml, deploymentName: "vm-1", inputs: {network: net-1}}
      """,
      "machine.yaml": EngineTemplates.machine,
    ])
    let first = harness.orchestrator(deployed)
    #expect(try await first.run(try await first.createRun(planDigest: "vm")).status == .succeeded)
    let target = try #require(try await harness.client.deployment(named: "vm-1", projectId: nil))
    let deploymentId = try #require(target.id)
    let baseline = try await harness.client.deployment(id: deploymentId, expand: [.lastRequest]).lastRequest?.id

    let acting = try harness.plan([
      "plan.yaml": """
      name: poweroff
      defaults: {project: Development}
      stages:
        stop: {action: {deployment: vm-1, id: Deployment.PowerOff}}
      """
    ])
    let runId = try await harness.orchestrator(acting).createRun(planDigest: "poweroff")
    // What the crashed process had written before its POST: the operation, the baseline, the intent.
    let lease = try await harness.store.acquireLease(run: runId, duration: .seconds(30), mode: .ifFree)
    try await harness.store.updateRunStatus(runId, to: .running)
    try await harness.store.recordStageOperation(
      run: runId, stage: "stop", operation: .action, baselineRequestId: baseline)
    try await harness.store.recordIntent(
      run: runId, stage: "stop", deploymentName: "vm-1", projectId: target.projectId, attempt: 1)
    // Its POST reached vRA (the request awaits approval, so it stays in progress); the answer was lost.
    let sent = try await harness.client.submitDeploymentAction(
      deploymentId: deploymentId,
      ResourceActionRequest(actionId: "Deployment.PowerOff", reason: "vra-engine run \(runId) stage stop"))
    let sentId = try #require(sent.id)
    try await harness.store.releaseLease(lease)

    let outcome = try await RunCanceller(client: harness.client, store: harness.store, tracking: harness.tracker)
      .cancel(runId)
    guard case .cancelled(let report) = outcome else {
      Issue.record("expected a report, got \(outcome)")
      return
    }
    #expect(report.stages.map(\.name) == ["stop"])
    let stage = try #require(try await harness.store.stage(run: runId, name: "stop"))
    #expect(stage.requestId == sentId, "the sent request was found and recorded")
    #expect(stage.status == .cancelled, "\(stage.status)")
    let request = try await harness.client.request(id: sentId)
    #expect(
      request.status == .aborted, "the action's request was cancelled in vRA: \(String(describing: request.status))")
  }

  /// Takes the lease with `.takeover` as soon as the current one expires.
  static func takeOver(_ runId: RunID, from store: SQLStateStore) async throws -> RunLease {
    let deadline = ContinuousClock.now + .seconds(20)
    while true {
      do {
        return try await store.acquireLease(run: runId, duration: .seconds(30), mode: .takeover)
      } catch StateStoreError.runOwned where ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))  // poll step until the lease expires
      }
    }
  }
}
