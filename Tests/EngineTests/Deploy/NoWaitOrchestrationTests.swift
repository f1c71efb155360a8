import Engine
import Foundation
import TestSupport
import Testing
import VRAModels

/// `Orchestrator(waitForCompletion: false)`, what `deploy --no-wait` runs: the stage ends once vRA
/// accepted it, left `submitted`, the run stays `running`, and a later run re-attaches without a
/// second POST.
@Suite struct NoWaitOrchestrationTests {
  @Test func aStageIsLeftSubmittedAndALaterRunReattaches() async throws {
    // The network takes about 4 s: still in progress when the test looks, even on a loaded machine.
    let harness = try await OrchestrationHarness.start { $0.timeScale = 0.2 }
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": """
      name: one
      defaults: {project: Development}
      stages:
        net: {template: network.yaml, deploymentName: "net-${run.id}"}
      """,
      "network.yaml": EngineTemplates.network,
    ])
    let events = harness.events
    let detached = Orchestrator(
      plan: plan, client: harness.client, store: harness.store, tracking: harness.tracker, environment: [:],
      waitForCompletion: false, events: { events.append($0) })
    let runId = try await detached.createRun(planDigest: "test")
    let run = try await detached.run(runId)
    #expect(run.status == .submitted, "the run is submitted: vRA works on it, nobody waits")
    let stage = try #require(try await harness.store.stage(run: runId, name: "net"))
    #expect(stage.status == .submitted && stage.deploymentId != nil && stage.blueprintRequestId != nil)
    #expect(harness.events.statuses(of: "net") == [.submitting, .submitted])
    #expect(harness.events.all.last == .runFinished(runId, .submitted))
    let deployment = try await harness.client.deployment(id: stage.deploymentId!)
    #expect(deployment.status?.isInProgress == true, "nothing waited for the deployment")

    let finished = try await harness.orchestrator(plan).run(runId)
    #expect(finished.status == .succeeded)
    #expect(try await harness.deploymentNames() == ["net-\(runId)"])
    #expect(await harness.simulator.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
  }

  @Test func dependentsOfAStageNotWaitedForAreSkipped() async throws {
    let policy = SchedulingPolicy(parallelism: 2, perProjectLimit: nil, onFailure: .stop)
    let scheduler = RolloutScheduler(
      stages: [
        .init(name: "a", dependencies: [], project: "p"), .init(name: "b", dependencies: ["a"], project: "p"),
      ], policy: policy)
    let outcomes = await scheduler.run { _ in .submitted }
    #expect(outcomes["a"] == .submitted)
    #expect(outcomes["b"] == .skipped(reason: "'a' was submitted without waiting for it to end"))
  }
}
