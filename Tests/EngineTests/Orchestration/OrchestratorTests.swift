import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

/// Whole runs against the simulator: the plan's stages become real deployments, wired by outputs.
@Suite(.serialized) struct OrchestratorTests {
  static let threeTierPlan = """
    name: three-tier
    defaults: {project: Development, parallelism: 4}
    stages:
      network:
        template: network.yaml
        deploymentName: "net-${run.id}"
      db:
        template: machine.yaml
        deploymentName: "db-${run.id}"
        inputs: {network: "${stages.network.outputs.networkId}", password: "canary-Zq81"}
      app:
        template: app.yaml
        deploymentName: "app-${run.id}"
        project: Production
        inputs: {dbHost: "${stages.db.resources.vm.address}"}
    """

  @Test func threeTierRunWiresStagesByOutputsAndResources() async throws {
    let harness = try await OrchestrationHarness.start()
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": Self.threeTierPlan, "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine,
      "app.yaml": EngineTemplates.app,
    ])
    let orchestrator = harness.orchestrator(plan)
    let runId = try await orchestrator.createRun(planDigest: "test")
    let run = try await orchestrator.run(runId)
    #expect(run.status == .succeeded)

    let report = try #require(try await RunReport.load(runId, from: harness.store, order: plan.stageNames))
    #expect(report.stages.map(\.name) == ["network", "db", "app"])
    #expect(report.stages.allSatisfy { $0.status == "succeeded" && $0.deploymentId != nil && $0.requestId != nil })
    let networkId = try #require(report.stages[0].outputs?["networkId"]?.stringValue)
    let dbAddress = try #require(report.stages[1].resources?["vm"]?["address"]?.stringValue)

    // What vRA received: the db machine sits on the network's id, the app is tagged with the db address.
    let db = try await harness.client.deployment(id: report.stages[1].deploymentId!, expand: [.resources])
    #expect(db.resources?.first?.properties?["networks"]?[0]?["network"]?.stringValue == networkId)
    let app = try await harness.client.deployment(id: report.stages[2].deploymentId!, expand: [.resources, .project])
    #expect(app.resources?.first?.properties?["tags"]?[0]?["value"]?.stringValue == dbAddress)
    #expect(try await harness.deploymentNames() == ["app-\(runId)", "db-\(runId)", "net-\(runId)"])
    let projects = try await harness.client.projects().collect()
    #expect(app.projectId == projects.first { $0.name == "Production" }?.id, "per-stage project override")

    // Order: db starts only after network succeeded, app only after db.
    let order = harness.events.all.compactMap { event -> String? in
      if case .stage(let name, let status, _) = event, status == .submitting || status == .succeeded {
        return "\(name):\(status)"
      }
      return nil
    }
    #expect(
      order == [
        "network:submitting", "network:succeeded", "db:submitting", "db:succeeded", "app:submitting",
        "app:succeeded",
      ])
    // The encrypted input's value never reached the state database.
    let database = try Data(contentsOf: harness.directory.appendingPathComponent("state.db"))
    #expect(database.range(of: Data("canary-Zq81".utf8)) == nil)
  }

  @Test func failingStageWithRollbackRemovesWhatTheRunCreated() async throws {
    let harness = try await OrchestrationHarness.start {
      $0.faults.enabled = true
      $0.faults.failResources = ["doomed"]
    }
    defer { Task { await harness.stop() } }
    let failing = """
      formatVersion: 1
      inputs:
        dbHost: {type: string}
      resources:
        doomed:
          type: Cloud.Machine
          properties: {image: ubuntu}
      """
    let plan = try harness.plan([
      "plan.yaml": Self.threeTierPlan.replacingOccurrences(
        of: "defaults: {project: Development, parallelism: 4}",
        with: "defaults: {project: Development, parallelism: 4, rollback: on-failure}"),
      "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine, "app.yaml": failing,
    ])
    let orchestrator = harness.orchestrator(plan)
    let run = try await orchestrator.run(try await orchestrator.createRun(planDigest: "test"))
    #expect(run.status == .failed)
    let stages = try await harness.store.stages(of: run.id)
    let statuses = Dictionary(uniqueKeysWithValues: stages.map { ($0.name, $0.status) })
    #expect(statuses == ["network": .rolledBack, "db": .rolledBack, "app": .rolledBack])
    #expect(try await harness.deploymentNames().isEmpty, "rollback deleted every deployment of the run")
    // Reverse order: app (the failed one) first, network last.
    let rolledBack = harness.events.all.compactMap { event -> String? in
      if case .stage(let name, .rolledBack, _) = event { return name }
      return nil
    }
    #expect(rolledBack == ["app", "db", "network"])
    let deletes = try await harness.store.deleteRequests(of: run.id)
    #expect(deletes.count == 3)
  }

  @Test func continueRunsWhatDoesNotDependOnTheFailure() async throws {
    let harness = try await OrchestrationHarness.start {
      $0.faults.enabled = true
      $0.faults.failResources = ["vm"]
    }
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": """
      name: partial
      defaults: {project: Development, onFailure: continue, parallelism: 1}
      stages:
        network: {template: network.yaml}
        db:
          template: machine.yaml
          inputs: {network: "${stages.network.outputs.networkId}"}
        app:
          template: app.yaml
          inputs: {dbHost: "${stages.db.outputs.address}"}
        other: {template: network.yaml}
      """,
      "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine, "app.yaml": EngineTemplates.app,
    ])
    let orchestrator = harness.orchestrator(plan)
    let run = try await orchestrator.run(try await orchestrator.createRun(planDigest: "test"))
    #expect(run.status == .failed)
    let stages = Dictionary(uniqueKeysWithValues: try await harness.store.stages(of: run.id).map { ($0.name, $0) })
    #expect(stages["network"]?.status == .succeeded)
    #expect(stages["db"]?.status == .failed)
    #expect(stages["db"]?.error?.message.contains("vm") == true, "vRA's failure reason reaches the stage")
    #expect(stages["app"]?.status == .skipped)
    #expect(stages["other"]?.status == .succeeded, "independent of the failure, so it ran")

    // The JSON report has every documented key, with null where there is no value.
    let report = try #require(try await RunReport.load(run.id, from: harness.store, order: plan.stageNames))
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as? [String: Any])
    let runObject = try #require(json["run"] as? [String: Any])
    #expect(Set(runObject.keys) == ["id", "status", "startedAt", "finishedAt"])
    let stageObjects = try #require(json["stages"] as? [[String: Any]])
    let keys: Set<String> = [
      "name", "status", "deploymentName", "deploymentId", "requestId", "outputs", "resources", "error", "approval",
      "check",
    ]
    #expect(stageObjects.allSatisfy { Set($0.keys) == keys })
    let app = try #require(stageObjects.first { $0["name"] as? String == "app" })
    #expect(app["outputs"] is NSNull && app["deploymentId"] is NSNull)
    #expect(stageObjects.first { $0["name"] as? String == "network" }?["error"] is NSNull)
  }

  @Test func cancellingARunCancelsTheRequestInVRA() async throws {
    let harness = try await OrchestrationHarness.start { $0.timeScale = 1 }
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": """
      name: slow
      defaults: {project: Development}
      stages:
        network: {template: network.yaml}
      """,
      "network.yaml": EngineTemplates.network,
    ])
    let orchestrator = harness.orchestrator(plan)
    let runId = try await orchestrator.createRun(planDigest: "test")
    let task = Task { try await orchestrator.run(runId) }
    // Cancel once the stage is running in vRA.
    _ = try await harness.simulator.http.poll(timeout: .seconds(20)) { () -> Bool? in
      harness.events.statuses(of: "network").contains(.running) ? true : nil
    }
    task.cancel()
    let run = try await task.value
    #expect(run.status == .cancelled)
    let stage = try #require(try await harness.store.stage(run: runId, name: "network"))
    #expect(stage.status == .cancelled)
    let request = try await harness.client.blueprintRequest(id: try #require(stage.blueprintRequestId))
    #expect(request.status == .cancelled, "the blueprint request was cancelled through the API")
  }

  // Real time: the simulator expires its 1 s tokens on its own clock; a whole run must outlive them.
  @Test func aStageOutlivesFiveAccessTokenLifetimes() async throws {
    let harness = try await OrchestrationHarness.start {
      $0.tokens.accessTokenLifetime = 1
      $0.timeScale = 0.08  // Cloud.Machine: 90 s × 0.08 ≈ 7 s
    }
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": """
      name: long
      defaults: {project: Development}
      stages:
        db:
          template: machine.yaml
          inputs: {network: none}
      """,
      "machine.yaml": EngineTemplates.machine,
    ])
    let orchestrator = harness.orchestrator(plan)
    let started = ContinuousClock.now
    let run = try await orchestrator.run(try await orchestrator.createRun(planDigest: "test"))
    #expect(run.status == .succeeded)
    #expect(ContinuousClock.now - started > .seconds(5), "the stage really outlived five 1-second tokens")
    let refreshes = await harness.simulator.server.stats().tokenRefreshes
    #expect(refreshes >= 5, "\(refreshes) refreshes in \(ContinuousClock.now - started)")
  }
}

/// Per-stage `retries` and `timeout`, against faults the simulator injects.
@Suite(.serialized) struct StageRetryAndTimeoutTests {
  static let plan = """
    name: flaky
    defaults: {project: Development}
    stages:
      db:
        template: machine.yaml
        inputs: {network: none}
        retries: 1
    """

  @Test func aFailedStageIsResubmittedOnceWhenRetriesAllowIt() async throws {
    let harness = try await OrchestrationHarness.start {
      $0.faults.enabled = true
      $0.faults.failResources = ["vm"]
      $0.faults.failResourcesTimes = 1  // the first provisioning fails, the next succeeds
    }
    defer { Task { await harness.stop() } }
    let plan = try harness.plan(["plan.yaml": Self.plan, "machine.yaml": EngineTemplates.machine])
    let orchestrator = harness.orchestrator(plan)
    let run = try await orchestrator.run(try await orchestrator.createRun(planDigest: "test"))
    #expect(run.status == .succeeded)
    let stage = try #require(try await harness.store.stage(run: run.id, name: "db"))
    #expect(stage.status == .succeeded && stage.attempt == 2)
    #expect(harness.events.statuses(of: "db").filter { $0 == .submitting }.count == 2)
    #expect(await harness.simulator.server.stats().count("POST /blueprint/api/blueprint-requests") == 2)
    #expect(
      try await harness.deploymentNames() == ["flaky-db-\(run.id)"], "the failed attempt's deployment was removed")
  }

  /// Without `retries` a failed stage stays failed (one POST); a resume then removes the failed
  /// deployment and submits again.
  @Test func withoutRetriesAFailedStageStaysFailedUntilAResumeSubmitsItAgain() async throws {
    let harness = try await OrchestrationHarness.start {
      $0.faults.enabled = true
      $0.faults.failResources = ["vm"]
      $0.faults.failResourcesTimes = 1
    }
    defer { Task { await harness.stop() } }
    let plan = try harness.plan(["plan.yaml": Self.planWithoutRetries, "machine.yaml": EngineTemplates.machine])
    let orchestrator = harness.orchestrator(plan)
    let runId = try await orchestrator.createRun(planDigest: "test")
    #expect(try await orchestrator.run(runId).status == .failed)
    #expect(await harness.simulator.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
    // The failed deployment keeps its name in vRA: a resume that submitted again would get a 409.
    try await Self.expectResumeReplacesTheDeployment(runId, orchestrator, harness)
    #expect(await harness.simulator.server.stats().count("POST /blueprint/api/blueprint-requests") == 2)
  }

  @Test func resumingACancelledRunSubmitsTheCancelledStageAgain() async throws {
    let harness = try await OrchestrationHarness.start { $0.timeScale = 0.05 }  // a machine takes 4.5 s
    defer { Task { await harness.stop() } }
    let plan = try harness.plan(["plan.yaml": Self.planWithoutRetries, "machine.yaml": EngineTemplates.machine])
    let orchestrator = harness.orchestrator(plan)
    let runId = try await orchestrator.createRun(planDigest: "test")
    let first = Task { try await orchestrator.run(runId) }
    _ = try await harness.simulator.http.poll(timeout: .seconds(30)) {
      harness.events.statuses(of: "db").contains(.running) ? true : nil
    }
    first.cancel()  // what Ctrl-C does: the request is cancelled in vRA, the stage recorded cancelled
    #expect(try await first.value.status == .cancelled)
    try await Self.expectResumeReplacesTheDeployment(runId, orchestrator, harness)
  }

  static let planWithoutRetries = plan.replacingOccurrences(of: "retries: 1", with: "retries: 0")

  /// Resumes `runId`: it succeeds, and vRA holds one deployment of the stage's name, the new one.
  static func expectResumeReplacesTheDeployment(
    _ runId: RunID, _ orchestrator: Orchestrator, _ harness: OrchestrationHarness
  ) async throws {
    let resumed = try await orchestrator.run(runId)
    let stage = try await harness.store.stage(run: runId, name: "db")
    #expect(resumed.status == .succeeded, "\(String(describing: stage?.error))")
    #expect(try await harness.deploymentNames() == ["flaky-db-\(runId)"], "one deployment of that name, the new one")
  }

  @Test func aStagePastItsTimeoutFailsAndItsRequestIsCancelledInVRA() async throws {
    let harness = try await OrchestrationHarness.start { $0.timeScale = 1 }  // a machine takes 90 s
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": """
      name: slow
      defaults: {project: Development}
      stages:
        db:
          template: machine.yaml
          inputs: {network: none}
          timeout: 2s
      """,
      "machine.yaml": EngineTemplates.machine,
    ])
    let orchestrator = harness.orchestrator(plan)
    let started = ContinuousClock.now
    let run = try await orchestrator.run(try await orchestrator.createRun(planDigest: "test"))
    #expect(run.status == .failed)
    #expect(ContinuousClock.now - started < .seconds(30), "ended by the 2 s timeout, not by vRA")
    let stage = try #require(try await harness.store.stage(run: run.id, name: "db"))
    #expect(stage.status == .failed && stage.error?.errorClass == .stageTimeout)
    #expect(stage.error?.message.contains("cancelled in vRA") == true, "\(stage.error?.message ?? "")")
    let request = try await harness.client.blueprintRequest(id: try #require(stage.blueprintRequestId))
    #expect(request.status == .cancelled)
  }
}
