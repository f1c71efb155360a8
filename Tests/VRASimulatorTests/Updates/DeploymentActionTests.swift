import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// `GET .../deployments/{id}/actions` and `POST .../deployments/{id}/requests` (day-2 actions).
@Suite struct DeploymentActionTests {
  /// A deployment of a released blueprint (what the catalog and the Update action work with).
  static func blueprintDeployment(_ session: SimulatorSession, name: String) async throws -> Deployment {
    let blueprintId = try await session.createBlueprint(name: "bp-\(name)", content: SampleTemplates.webServer)
    let order = try await session.requestDeployment(
      blueprintId: blueprintId, name: name, inputs: ["size": "small", "count": 2])
    return try await session.waitForDeployment(try #require(order.deploymentId))
  }

  @Test func aBlueprintDeploymentListsUpdateWithItsInputsAndDelete() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await Self.blueprintDeployment(session, name: "acted")
      let id = try #require(deployment.id)
      let actions = try await session.get("/deployment/api/deployments/\(id)/actions").decode([DeploymentAction].self)
      #expect(actions.compactMap(\.id).first == "Deployment.Update")
      #expect(actions.compactMap(\.id).last == "Deployment.Delete")
      #expect(actions.filter { $0.id != "Deployment.PowerOn" }.allSatisfy { $0.valid == true }, "the machines are on")
      let update = try #require(actions.first)
      #expect(update.schema?["properties"]?["size"]?["enum"] == ["small", "large"])
      #expect(update.schema?["properties"]?["size"]?["default"] == "small", "the current value is the default")
      #expect(update.schema?["properties"]?["count"]?["default"] == 2)
      let one = try await session.get("/deployment/api/deployments/\(id)/actions/Deployment.Update")
      #expect(try one.decode(DeploymentAction.self).id == "Deployment.Update")
      #expect(try await session.get("/deployment/api/deployments/\(id)/actions/Deployment.Nap").status == 404)

      // A deployment of inline content is updated with a blueprint request, not the action.
      let inline = try await UpdateFixture.deploy(session, name: "inline")
      let inlineActions = try await session.get("/deployment/api/deployments/\(try #require(inline.id))/actions")
        .decode([DeploymentAction].self)
      #expect(!inlineActions.contains { $0.id == "Deployment.Update" })
      #expect(inlineActions.contains { $0.id == "Deployment.Delete" })
    }
  }

  @Test func theUpdateActionRunsAnUpdateWithTheInputsOverTheCurrentOnes() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await Self.blueprintDeployment(session, name: "resized")
      let id = try #require(deployment.id)
      let answer = try await session.post(
        "/deployment/api/deployments/\(id)/requests",
        ["actionId": "Deployment.Update", "inputs": ["size": "large"], "reason": "bigger"])
      #expect(answer.status == 200, "\(answer.json)")
      let request = try answer.decode(DeploymentRequest.self)
      #expect(request.name == "Update")
      #expect(request.actionId == "Deployment.Update")
      #expect(request.inputs?["size"] == "large")
      #expect(request.inputs?["count"] == 2, "inputs not given keep their value")

      let running = try await session.get("/deployment/api/deployments/\(id)/actions").decode([DeploymentAction].self)
      // Still in progress after the list was read, so it was while it was read (on a loaded machine
      // the update may already be over).
      let after = try await session.get("/deployment/api/requests/\(try #require(request.id))")
        .decode(DeploymentRequest.self)
      if after.status?.isTerminal == false {
        #expect(running.allSatisfy { $0.valid == false }, "no action while a request is in progress")
      }

      let updated = try await session.waitForDeployment(id)
      #expect(updated.status == .updateSuccessful)
      #expect(updated.lastRequest?.id == request.id)
      #expect(
        updated.resources?.filter { $0.name.hasPrefix("web[") }.allSatisfy { $0.properties?["flavor"] == "large" }
          == true)
      #expect(
        try await session.get("/deployment/api/requests/\(try #require(request.id))").decode(DeploymentRequest.self)
          .status == .successful)
    }
  }

  @Test func badActionsAreRefused() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await Self.blueprintDeployment(session, name: "strict")
      let id = try #require(deployment.id)
      let badInput = try await session.post(
        "/deployment/api/deployments/\(id)/requests", ["actionId": "Deployment.Update", "inputs": ["count": 9]])
      #expect(badInput.status == 400)
      #expect(badInput.json["validationMessages"]?[0]?["path"] == "/count", "\(badInput.json)")
      let unknownInput = try await session.post(
        "/deployment/api/deployments/\(id)/requests", ["actionId": "Deployment.Update", "inputs": ["colour": "red"]])
      #expect(unknownInput.status == 400)
      let unknown = try await session.post("/deployment/api/deployments/\(id)/requests", ["actionId": "Deployment.Nap"])
      #expect(unknown.status == 404)
      let none = try await session.post("/deployment/api/deployments/\(id)/requests", ["inputs": [:]])
      #expect(none.status == 400)
      let missing = try await session.post(
        "/deployment/api/deployments/00000000-0000-0000-0000-000000000000/requests", ["actionId": "Deployment.Delete"])
      #expect(missing.status == 404)
      #expect(try await UpdateFixture.history(session, id).count == 1, "nothing was started")
    }
  }

  @Test func theDeleteActionDeletesTheDeployment() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await Self.blueprintDeployment(session, name: "doomed")
      let id = try #require(deployment.id)
      let answer = try await session.post(
        "/deployment/api/deployments/\(id)/requests", ["actionId": "Deployment.Delete"])
      #expect(answer.status == 200, "\(answer.json)")
      #expect(try answer.decode(DeploymentRequest.self).actionId == "Deployment.Delete")
      let status = try await session.http.poll { () -> Int? in
        let response = try await session.get("/deployment/api/deployments/\(id)")
        return response.status == 404 ? 404 : nil
      }
      #expect(status == 404)
    }
  }
}
