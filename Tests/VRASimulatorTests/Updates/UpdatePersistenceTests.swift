import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// `--state FILE` keeps an update in flight, its pending steps, and what-if requests with their plans.
@Suite struct UpdatePersistenceTests {
  @Test func anUpdateAndAWhatIfInFlightSurviveARestart() async throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    // Slow enough that both are still in flight when the first simulator stops.
    let configure: @Sendable (inout SimulatorConfiguration) -> Void = {
      $0.stateFile = file
      $0.timeScale = 1
      $0.durations.initialization = 2
      $0.durations.completion = 0.1
      $0.durations.resourceTypes = ["Cloud.vSphere.Machine": 0.2, "Cloud.Network": 0.2, "Cloud.Volume": 0.2]
    }
    let (deploymentId, updateRequestId, planId) = try await SimulatorHarness.with(configure) { harness in
      let session = try await SimulatorSession.start(harness)
      let deploymentId = try #require(try await UpdateFixture.deploy(session, name: "kept").id)
      let update = try await UpdateFixture.update(session, deploymentId, content: UpdateFixture.version2)
      let plan = try await UpdateFixture.update(
        session, deploymentId, content: UpdateFixture.version1, inputs: ["size": "large"], plan: true)
      let requestId = try #require(try update.decode(BlueprintRequest.self).requestTrackerId)
      let running = try await session.get("/deployment/api/requests/\(requestId)").decode(DeploymentRequest.self)
      #expect(running.status?.isTerminal == false, "the update is in flight at the restart")
      return (deploymentId, requestId, try #require(try plan.decode(BlueprintRequest.self).id))
    }

    try await SimulatorHarness.with(configure) { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await session.waitForDeployment(deploymentId)
      #expect(deployment.status == .updateSuccessful)
      #expect(deployment.lastRequest?.id == updateRequestId)
      #expect(Set((deployment.resources ?? []).map(\.name)) == ["net", "web", "app", "db"])
      let plan = try await UpdateFixture.waitForBlueprintRequest(session, planId)
      #expect(plan.status == .finished)
      let resources = try await session.get("/blueprint/api/blueprint-requests/\(planId)/resources-plan")
        .decode(BlueprintResourcesPlan.self)
      #expect(resources.resources?.first { $0.resourceName == "web" }?.resourceReason == .update)
      // Planned against the deployment as it was when the what-if was accepted: the disk was still there.
      #expect(resources.resources?.first { $0.resourceName == "disk" }?.resourceReason == .read)
    }
  }
}
