import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Machine actions: `GET .../resources/{resourceId}/actions` and `POST .../resources/{resourceId}/requests`.
@Suite struct ResourceActionTests {
  @Test func aMachineListsPowerAndResizeAndOtherResourcesNothing() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await DayTwoFixture.deploy(session, name: "machines")
      let id = try #require(deployment.id)
      let machine = try #require(DayTwoFixture.machines(deployment).first)
      let machineId = try #require(machine.id)
      let base = "/deployment/api/deployments/\(id)/resources/\(machineId)/actions"
      let actions = try await session.get(base).decode([DeploymentAction].self)
      #expect(
        actions.compactMap(\.id) == [
          "Cloud.vSphere.Machine.PowerOff", "Cloud.vSphere.Machine.PowerOn", "Cloud.vSphere.Machine.Resize",
        ])
      #expect(actions.map(\.valid) == [true, false, true])
      let resize = try #require(actions.last?.schema)
      #expect(resize["properties"]?["cpuCount"]?["type"] == "integer")
      #expect(resize["properties"]?["cpuCount"]?["minimum"] == 1)
      #expect(resize["properties"]?["cpuCount"]?["maximum"] == 32)
      #expect(resize["properties"]?["cpuCount"]?["default"] == machine.properties?["cpuCount"])
      #expect(resize["properties"]?["totalMemoryMB"]?["maximum"] == 262_144)
      let one = try await session.get("\(base)/Cloud.vSphere.Machine.Resize")
      #expect(try one.decode(DeploymentAction.self).schema == resize)
      #expect(try await session.get("\(base)/Cloud.vSphere.Machine.Nap").status == 404)

      let network = try #require(deployment.resource("net")?.id)
      let none = try await session.get("/deployment/api/deployments/\(id)/resources/\(network)/actions")
      #expect(try none.decode([DeploymentAction].self).isEmpty)
      let refused = try await DayTwoFixture.submit(session, id, resourceId: network, "Cloud.vSphere.Machine.PowerOff")
      #expect(refused.status == 404)
      #expect(try await session.get("/deployment/api/deployments/\(id)/resources/nope/actions").status == 404)
    }
  }

  @Test func resizeChangesTheMachineAndNothingElse() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await DayTwoFixture.deploy(session, name: "resized")
      let id = try #require(deployment.id)
      let machines = DayTwoFixture.machines(deployment)
      let target = try #require(machines.first?.id)
      let tooBig = try await DayTwoFixture.submit(
        session, id, resourceId: target, "Cloud.vSphere.Machine.Resize", inputs: ["cpuCount": 64])
      #expect(tooBig.status == 400, "\(tooBig.json)")
      #expect(tooBig.json["validationMessages"]?[0]?["path"] == "/cpuCount")

      let request = try await DayTwoFixture.run(
        session, id, resourceId: target, "Cloud.vSphere.Machine.Resize", inputs: ["cpuCount": 4])
      #expect(request.resourceIds == [target])
      #expect(request.name == "Resize")
      #expect(try await DayTwoFixture.wait(session, try #require(request.id)).status == .successful)
      let after = DayTwoFixture.machines(try await DayTwoFixture.deployment(session, id))
      #expect(after.first?.properties?["cpuCount"] == 4)
      #expect(after.first?.properties?["totalMemoryMB"] == machines.first?.properties?["totalMemoryMB"])
      #expect(after.last?.properties?["cpuCount"] == machines.last?.properties?["cpuCount"], "only the target")
      let resource = try await session.get("/deployment/api/deployments/\(id)/resources/\(target)")
        .decode(DeploymentResource.self)
      #expect(resource.properties?["cpuCount"] == 4)
    }
  }

  @Test func powerOffOneMachine() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await DayTwoFixture.deploy(session, name: "half-off")
      let id = try #require(deployment.id)
      let target = try #require(DayTwoFixture.machines(deployment).first?.id)
      let request = try await DayTwoFixture.run(session, id, resourceId: target, "Cloud.vSphere.Machine.PowerOff")
      #expect(try await DayTwoFixture.wait(session, try #require(request.id)).status == .successful)
      let after = DayTwoFixture.machines(try await DayTwoFixture.deployment(session, id))
      #expect(after.map { $0.properties?["powerState"] } == ["OFF", "ON"])
      let actions = try await session.get("/deployment/api/deployments/\(id)/resources/\(target)/actions")
        .decode([DeploymentAction].self)
      #expect(actions.map(\.valid) == [false, true, true])
      let deploymentActions = try await DayTwoFixture.actions(session, id)
      #expect(deploymentActions["Deployment.PowerOff"]?.valid == true, "one machine is still on")
      #expect(deploymentActions["Deployment.PowerOn"]?.valid == true, "one machine is off")
    }
  }
}
