import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// A deployment passes through vRA's statuses in order, resources appear in dependency order,
/// and cancel and delete end where vRA ends them.
@Suite struct LifecycleTests {
  static let requestOrder: [RequestStatus] = [.created, .initialization, .inProgress, .completion, .successful]

  @Test func createFollowsTheRealStatusSequence() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.02 }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.webServer)
      let order = try await session.requestDeployment(
        blueprintId: blueprintId, name: "web-1", inputs: ["size": "large", "count": 2])
      let deploymentId = try #require(order.deploymentId)
      #expect(order.status == .created || order.status == .started)

      // Record every status seen while polling until the request ends.
      var seen: [RequestStatus] = []
      var deploymentStatuses: [DeploymentStatus] = []
      var progress: [Int] = []
      let final = try await harness.http.poll(timeout: .seconds(60), every: .milliseconds(10)) { () -> Deployment? in
        let deployment = try await session.get("/deployment/api/deployments/\(deploymentId)?expand=lastRequest")
          .decode(Deployment.self)
        if let status = deployment.lastRequest?.status, seen.last != status { seen.append(status) }
        if let status = deployment.status, deploymentStatuses.last != status { deploymentStatuses.append(status) }
        if let done = deployment.lastRequest?.completedTasks { progress.append(done) }
        return deployment.lastRequest?.status?.isTerminal == true ? deployment : nil
      }
      // Statuses only move forward along vRA's order (a fast poll may skip one, never reorder).
      let positions = seen.compactMap { Self.requestOrder.firstIndex(of: $0) }
      #expect(positions.count == seen.count, "unexpected statuses \(seen)")
      #expect(positions == positions.sorted(), "statuses went backwards: \(seen)")
      #expect(seen.contains(.inProgress))
      #expect(seen.last == .successful)
      #expect(deploymentStatuses.first == .createInProgress)
      #expect(deploymentStatuses.last == .createSuccessful)
      #expect(final.status == .createSuccessful)
      #expect(progress == progress.sorted(), "completedTasks must never decrease")
      let request = try #require(final.lastRequest)
      #expect(request.completedTasks == request.totalTasks)

      let blueprintRequest = try await session.get("/blueprint/api/blueprint-requests/\(try #require(order.id))")
        .decode(BlueprintRequest.self)
      #expect(blueprintRequest.status == .finished)
    }
  }

  @Test func resourcesAreCreatedAfterWhatTheyDependOnAndExpressionsResolve() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.webServer)
      let order = try await session.requestDeployment(
        blueprintId: blueprintId, name: "web-1", inputs: ["size": "large", "count": 2])
      let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
      let resources = try #require(deployment.resources)
      #expect(resources.map(\.name).sorted() == ["net", "web[0]", "web[1]"])
      let net = try #require(resources.first { $0.name == "net" })
      for machine in resources where machine.name.hasPrefix("web") {
        #expect(machine.dependsOn == ["net"])
        #expect(try #require(machine.createdAt) >= (try #require(net.createdAt)))
        #expect(machine.properties?["flavor"] == "large", "input expressions resolve")
        #expect(machine.properties?["networks"]?[0]?["network"]?.stringValue == net.id, "resource expressions resolve")
        #expect(machine.state == .ok)
      }
      let outputs = try #require(deployment.lastRequest?.outputs)
      let address = try #require(outputs["address"]?.stringValue)
      #expect(address == resources.first { $0.name == "web[0]" }?.properties?["address"]?.stringValue)
      let machines = resources.filter { $0.name.hasPrefix("web[") }.sorted { $0.name < $1.name }
      #expect(outputs["addresses"] == .array(machines.compactMap { $0.properties?["address"] }), "[*] is a list")

      let events = try await session.get("/deployment/api/requests/\(try #require(deployment.lastRequest?.id))/events")
        .decode(Page<Event>.self)
      let names = events.content.map(\.name)
      let netDone = try #require(names.firstIndex(of: "net provisioned"))
      let webStart = try #require(names.firstIndex { $0.hasPrefix("Allocating and provisioning web") })
      #expect(netDone <= webStart, "web starts only once net exists: \(names)")
    }
  }

  @Test(arguments: ["web", "we*"])
  func failingResourceFailsTheRequestAndTheDeployment(_ pattern: String) async throws {
    try await SimulatorHarness.with({
      $0.faults.enabled = true
      $0.faults.failResources = [pattern]
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.webServer)
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "doomed")
      let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
      #expect(deployment.lastRequest?.status == .failed)
      #expect(deployment.status == .createFailed)
      #expect(deployment.lastRequest?.details?.contains("web") == true)
      let blueprintRequest = try await session.get("/blueprint/api/blueprint-requests/\(try #require(order.id))")
        .decode(BlueprintRequest.self)
      #expect(blueprintRequest.status == .failed)
      #expect(blueprintRequest.failureMessage?.isEmpty == false)
    }
  }

  @Test func cancelAbortsTheRequest() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 1 }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "slow", content: SampleTemplates.single)
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "slow-1")
      let cancel = try await session.post(
        "/blueprint/api/blueprint-requests/\(try #require(order.id))/actions/cancel", [:])
      #expect((200...204).contains(cancel.status), "cancel answered \(cancel.status): \(cancel.json)")
      let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
      #expect(deployment.lastRequest?.status == .aborted)
      let blueprintRequest = try await session.get("/blueprint/api/blueprint-requests/\(try #require(order.id))")
        .decode(BlueprintRequest.self)
      #expect(blueprintRequest.status == .cancelled)
      #expect(blueprintRequest.cancelRequestedBy?.contains("admin") == true)

      let again = try await session.post(
        "/blueprint/api/blueprint-requests/\(try #require(order.id))/actions/cancel", [:])
      #expect(again.status == 400, "a finished request cannot be cancelled again")
    }
  }

  @Test func deleteRunsADeleteRequestThenTheDeploymentIsGone() async throws {
    // Slow enough that the delete is still running when its in-progress list is read, even on a
    // loaded machine (at the default pace it could finish first, and the list answer 404).
    try await SimulatorHarness.with({ $0.timeScale = 0.1 }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "short-lived")
      let deploymentId = try #require(order.deploymentId)
      _ = try await session.waitForDeployment(deploymentId)

      let delete = try await session.delete("/deployment/api/deployments/\(deploymentId)")
      #expect(delete.status == 200)
      let deleteRequest = try delete.decode(DeploymentRequest.self)
      #expect(deleteRequest.name == "Delete")
      let inProgress = try await session.get(
        "/deployment/api/deployments/\(deploymentId)/requests?inprogressRequests=true"
      )
      .decode(Page<DeploymentRequest>.self)
      #expect(inProgress.content.allSatisfy { $0.status?.isTerminal == false })

      let gone = try await harness.http.poll { () -> Int? in
        let response = try await session.get("/deployment/api/deployments/\(deploymentId)")
        return response.status == 404 ? 404 : nil
      }
      #expect(gone == 404)
      let finished = try await session.get("/deployment/api/requests/\(try #require(deleteRequest.id))")
        .decode(DeploymentRequest.self)
      #expect(finished.status == .successful)
      let name = try await session.requestDeployment(blueprintId: blueprintId, name: "short-lived")
      #expect(name.deploymentId != deploymentId, "a deleted deployment's name can be used again")
    }
  }

  @Test func deleteWhileCreatingIsAConflict() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 1 }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "slow", content: SampleTemplates.single)
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "busy")
      let delete = try await session.delete("/deployment/api/deployments/\(try #require(order.deploymentId))")
      #expect(delete.status == 409)
    }
  }
}

@Suite struct RequestBookkeepingTests {
  @Test func requestByReleasedVersionListAndDeleteOfBlueprintRequests() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      let version = try await session.post("/blueprint/api/blueprints/\(blueprintId)/versions", ["version": "2"])
      #expect(version.status == 201)
      let response = try await session.post(
        "/blueprint/api/blueprint-requests",
        [
          "blueprintId": .string(blueprintId), "blueprintVersion": "2", "projectId": .string(session.projectId),
          "deploymentName": "v2",
        ])
      #expect(response.status == 202)
      let order = try response.decode(BlueprintRequest.self)
      #expect(order.blueprintVersion == "2")
      let unknownVersion = try await session.post(
        "/blueprint/api/blueprint-requests",
        [
          "blueprintId": .string(blueprintId), "blueprintVersion": "9", "projectId": .string(session.projectId),
          "deploymentName": "v9",
        ])
      #expect(unknownVersion.status == 404)

      _ = try await session.waitForDeployment(try #require(order.deploymentId))
      let list = try await session.get("/blueprint/api/blueprint-requests").decode(Page<BlueprintRequest>.self)
      #expect(list.content.map(\.id) == [order.id])
      #expect(try await session.delete("/blueprint/api/blueprint-requests/\(try #require(order.id))").status == 204)
      #expect(try await session.get("/blueprint/api/blueprint-requests/\(try #require(order.id))").status == 404)
    }
  }

  @Test func statsCountDeploymentsAndResetRestoresTheSeed() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      _ = try await session.requestDeployment(blueprintId: blueprintId, name: "counted")
      let stats = try await harness.http.call(.GET, "/_sim/stats", checkFidelity: false)
      #expect(stats.json["deploymentsCreated"]?.intValue == 1)
      #expect(stats.json["requests"]?["POST /blueprint/api/blueprint-requests"]?["202"]?.intValue == 1)
      #expect(try await harness.http.call(.POST, "/_sim/reset", checkFidelity: false).status == 204)
      #expect(try await session.get("/deployment/api/deployments").status == 401, "tokens are gone after a reset")
      let fresh = try await SimulatorSession.start(harness)
      #expect(fresh.projectId == session.projectId, "seeded ids are stable")
      #expect(try await fresh.get("/deployment/api/deployments").decode(Page<Deployment>.self).content.isEmpty)
    }
  }

  @Test func failResourcePercentFailsEveryResourceAtOneHundred() async throws {
    try await SimulatorHarness.with({
      $0.faults.enabled = true
      $0.faults.failResourcePercent = 100
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "unlucky")
      let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
      #expect(deployment.status == .createFailed)
    }
  }
}
