import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// vRA runs one request at a time per deployment: a second one answers 409 naming the first.
@Suite struct RequestInProgressTests {
  /// One machine taking 12 s, on an image an update can change (RECREATE: about 16 s in flight), so
  /// the calls made meanwhile find it running even on a loaded machine (3 s was not enough in CI).
  static func machine(image: String) -> String {
    """
    formatVersion: 1
    resources:
      vm:
        type: Cloud.vSphere.Machine
        properties:
          image: \(image)
    """
  }

  @Test func anUpdateActionOrDeleteDuringAnUpdateIsAConflict() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 1
      $0.durations.initialization = 0.1
      $0.durations.completion = 0.1
      $0.durations.resourceTypes = ["Cloud.vSphere.Machine": 12]
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "slow", content: Self.machine(image: "ubuntu"))
      _ = try await session.post(
        "/blueprint/api/blueprints/\(blueprintId)/versions", ["version": "1", "release": true])
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "slow-1")
      let deploymentId = try #require(order.deploymentId)
      // While the create runs, an update is refused too.
      let duringCreate = try await UpdateFixture.update(session, deploymentId, content: Self.machine(image: "debian"))
      #expect(duringCreate.status == 409, "\(duringCreate.json)")
      _ = try await session.waitForDeployment(deploymentId, timeout: .seconds(60))

      let first = try await UpdateFixture.update(session, deploymentId, content: Self.machine(image: "debian"))
      #expect(first.status == 202, "\(first.json)")
      let running = try #require(try first.decode(BlueprintRequest.self).requestTrackerId)

      let second = try await UpdateFixture.update(session, deploymentId, content: Self.machine(image: "alpine"))
      let action = try await session.post(
        "/deployment/api/deployments/\(deploymentId)/requests", ["actionId": "Deployment.Delete"])
      let delete = try await session.delete("/deployment/api/deployments/\(deploymentId)")
      for response in [second, action, delete] {
        #expect(response.status == 409, "\(response.json)")
        let error = try response.decode(ServiceErrorResponse.self)
        #expect(error.message?.contains(running) == true, "the message names the request in progress: \(error)")
        #expect(error.messageId == "deployment.request.in.progress")
      }
      let history = try await UpdateFixture.history(session, deploymentId)
      #expect(history.map(\.name) == ["Update", "Create"], "the refused calls started nothing")
      #expect(history.first?.status?.isTerminal == false, "still running: the 409s were not a race")
      _ = try await session.waitForDeployment(deploymentId, timeout: .seconds(60))
      #expect(
        try await UpdateFixture.update(session, deploymentId, content: Self.machine(image: "alpine")).status == 202)
    }
  }

  @Test func theUpdateActionDuringAnotherRequestIsAConflict() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 1
      $0.durations.initialization = 0.1
      $0.durations.completion = 0.1
      $0.durations.resourceTypes = ["Cloud.vSphere.Machine": 12]
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "slow", content: Self.machine(image: "ubuntu"))
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "slow-2")
      let deploymentId = try #require(order.deploymentId)
      let action = try await session.post(
        "/deployment/api/deployments/\(deploymentId)/requests", ["actionId": "Deployment.Update", "inputs": [:]])
      #expect(action.status == 409, "\(action.json)")
      #expect(try action.decode(ServiceErrorResponse.self).message?.contains("Create") == true)
    }
  }
}
