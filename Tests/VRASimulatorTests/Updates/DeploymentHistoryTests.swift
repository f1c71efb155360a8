import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// `GET /deployment/api/deployments/{id}/requests`: every request of a deployment, newest first.
@Suite struct DeploymentHistoryTests {
  @Test func everyRequestIsListedNewestFirstWithItsOwnInputsAndPages() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deploymentId = try #require(
        try await UpdateFixture.deploy(session, name: "history", inputs: ["size": "small"]).id)
      _ = try await UpdateFixture.update(session, deploymentId, inputs: ["size": "large"])
      _ = try await session.waitForDeployment(deploymentId)
      _ = try await UpdateFixture.update(session, deploymentId, inputs: ["size": "small"])
      _ = try await session.waitForDeployment(deploymentId)

      let all = try await UpdateFixture.history(session, deploymentId)
      #expect(all.map(\.name) == ["Update", "Update", "Create"])
      #expect(all.map { $0.inputs?["size"] } == ["small", "large", "small"])
      #expect(all.allSatisfy { $0.status == .successful && $0.completedTasks == $0.totalTasks })
      #expect(all.map(\.actionId) == ["Deployment.Update", "Deployment.Update", nil])
      #expect(all.map(\.createdAt) == all.map(\.createdAt).sorted(by: >))
      #expect(all.allSatisfy { $0.completedAt != nil && $0.initializedAt != nil })

      // As Python's urlencode and Go's url.Values send it.
      let path = "/deployment/api/deployments/\(deploymentId)/requests"
      let first = try await session.get("\(path)?\(URLEncoded.python([("$top", "1")]))")
        .decode(Page<DeploymentRequest>.self)
      #expect(first.content.map(\.id) == [all[0].id])
      #expect(first.totalElements == 3)
      let second = try await session.get("\(path)?%24top=1&%24skip=1").decode(Page<DeploymentRequest>.self)
      #expect(second.content.map(\.id) == [all[1].id])
      let running = try await session.get("\(path)?inprogressRequests=true").decode(Page<DeploymentRequest>.self)
      #expect(running.content.isEmpty)
    }
  }
}
