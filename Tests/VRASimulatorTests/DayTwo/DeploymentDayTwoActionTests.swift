import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// The deployment actions beyond update and delete: power, lease and tags, each with its schema and
/// a `valid` that follows the deployment's state.
@Suite struct DeploymentDayTwoActionTests {
  @Test func everyActionIsListedWithItsSchemaAndValidity() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try #require(try await DayTwoFixture.deploy(session, name: "listed").id)
      let list = try await session.get("/deployment/api/deployments/\(id)/actions").decode([DeploymentAction].self)
      #expect(
        list.compactMap(\.id) == [
          "Deployment.Update", "Deployment.PowerOff", "Deployment.PowerOn", "Deployment.ChangeLease",
          "Deployment.EditTags", "Deployment.Delete",
        ])
      let actions = try await DayTwoFixture.actions(session, id)
      #expect(actions["Deployment.PowerOff"]?.valid == true, "the machines are on")
      #expect(actions["Deployment.PowerOn"]?.valid == false, "no machine is off")
      #expect(actions["Deployment.PowerOff"]?.displayName == "Power Off")
      #expect(actions["Deployment.PowerOff"]?.schema == ["type": "object", "properties": [:]])
      let lease = try #require(actions["Deployment.ChangeLease"]?.schema)
      #expect(lease["properties"]?["Lease Expiration Date"]?["type"] == "string")
      #expect(lease["properties"]?["Lease Expiration Date"]?["format"] == "date-time")
      #expect(lease["required"] == ["Lease Expiration Date"])
      let tags = try #require(actions["Deployment.EditTags"]?.schema)
      #expect(tags["properties"]?["tags"]?["type"] == "array")
      #expect(tags["properties"]?["tags"]?["items"]?["required"] == ["key"])
      #expect(tags["required"] == ["tags"])
      let one = try await session.get("/deployment/api/deployments/\(id)/actions/Deployment.ChangeLease")
      #expect(try one.decode(DeploymentAction.self).schema == lease)
    }
  }

  @Test func powerOffThenPowerOnFlipsValidityAndPowerState() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try #require(try await DayTwoFixture.deploy(session, name: "powered").id)
      let off = try await DayTwoFixture.run(session, id, "Deployment.PowerOff")
      #expect(off.name == "Power Off")
      #expect(off.actionId == "Deployment.PowerOff")
      #expect(off.totalTasks == 4, "two machines, plus two")
      let offDone = try await DayTwoFixture.wait(session, try #require(off.id))
      #expect(offDone.status == .successful)
      #expect(offDone.completedTasks == offDone.totalTasks)
      var deployment = try await DayTwoFixture.deployment(session, id)
      #expect(deployment.status == .updateSuccessful)
      #expect(deployment.lastRequest?.id == off.id, "the action is the deployment's last request")
      #expect(DayTwoFixture.machines(deployment).map { $0.properties?["powerState"] } == ["OFF", "OFF"])
      var actions = try await DayTwoFixture.actions(session, id)
      #expect(actions["Deployment.PowerOff"]?.valid == false)
      #expect(actions["Deployment.PowerOn"]?.valid == true)

      let again = try await DayTwoFixture.submit(session, id, "Deployment.PowerOff")
      #expect(again.status == 400, "an action that is not valid now is refused: \(again.json)")
      let error = try again.decode(ServiceErrorResponse.self)
      #expect(error.messageId == "deployment.action.not.valid")
      #expect(error.message?.contains("no machine of the deployment is powered on") == true, "\(error)")

      let on = try await DayTwoFixture.run(session, id, "Deployment.PowerOn")
      #expect(try await DayTwoFixture.wait(session, try #require(on.id)).status == .successful)
      deployment = try await DayTwoFixture.deployment(session, id)
      #expect(DayTwoFixture.machines(deployment).map { $0.properties?["powerState"] } == ["ON", "ON"])
      actions = try await DayTwoFixture.actions(session, id)
      #expect(actions["Deployment.PowerOff"]?.valid == true)
      #expect(actions["Deployment.PowerOn"]?.valid == false)

      let events = try await session.get("/deployment/api/requests/\(try #require(on.id))/events")
        .decode(Page<Event>.self).content.map(\.name)
      #expect(events.contains("Power On web[0]"), "\(events)")
      #expect(events.last == "Request completed")
      let history = try await UpdateFixture.history(session, id)
      #expect(history.map(\.name) == ["Power On", "Power Off", "Create"])
    }
  }

  @Test func changeLeaseRefusesPastAndTooDistantDates() async throws {
    try await SimulatorHarness.with({ $0.leases.maxDays = 30 }) { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try #require(try await DayTwoFixture.deploy(session, name: "leased").id)
      func lease(_ days: Double) -> JSONValue {
        ["Lease Expiration Date": .string(VRAJSON.formatTimestamp(Date().addingTimeInterval(days * 86_400)))]
      }
      let past = try await DayTwoFixture.submit(session, id, "Deployment.ChangeLease", inputs: lease(-1))
      #expect(past.status == 400, "\(past.json)")
      #expect(past.json["validationMessages"]?[0]?["path"] == "/Lease Expiration Date")
      #expect(past.json["message"]?.stringValue?.contains("in the past") == true, "\(past.json)")
      let distant = try await DayTwoFixture.submit(session, id, "Deployment.ChangeLease", inputs: lease(40))
      #expect(distant.status == 400)
      #expect(distant.json["message"]?.stringValue?.contains("maximum lease of 30 days") == true, "\(distant.json)")
      let garbled = try await DayTwoFixture.submit(
        session, id, "Deployment.ChangeLease", inputs: ["Lease Expiration Date": "next tuesday"])
      #expect(garbled.status == 400)
      #expect(try await UpdateFixture.history(session, id).count == 1, "refused actions start nothing")

      let inputs = lease(10)
      let request = try await DayTwoFixture.run(session, id, "Deployment.ChangeLease", inputs: inputs)
      #expect(try await DayTwoFixture.wait(session, try #require(request.id)).status == .successful)
      let deployment = try await DayTwoFixture.deployment(session, id)
      let expected = try #require(inputs["Lease Expiration Date"]?.stringValue)
      #expect(deployment.leaseExpireAt.map(VRAJSON.formatTimestamp) == expected)
      let schema = try await DayTwoFixture.actions(session, id)["Deployment.ChangeLease"]?.schema
      #expect(schema?["properties"]?["Lease Expiration Date"]?["default"]?.stringValue == expected)
    }
  }

  @Test func editTagsTagsEveryResource() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try #require(try await DayTwoFixture.deploy(session, name: "tagged").id)
      let bad = try await DayTwoFixture.submit(
        session, id, "Deployment.EditTags", inputs: ["tags": [["value": "no key"]]])
      #expect(bad.status == 400, "\(bad.json)")
      let tags: JSONValue = [["key": "env", "value": "prod"], ["key": "owner", "value": "ops"]]
      let request = try await DayTwoFixture.run(session, id, "Deployment.EditTags", inputs: ["tags": tags])
      #expect(try await DayTwoFixture.wait(session, try #require(request.id)).status == .successful)
      let deployment = try await DayTwoFixture.deployment(session, id)
      #expect(deployment.resources?.isEmpty == false)
      #expect(deployment.resources?.allSatisfy { $0.properties?["tags"] == tags } == true)
      let schema = try await DayTwoFixture.actions(session, id)["Deployment.EditTags"]?.schema
      #expect(schema?["properties"]?["tags"]?["default"] == tags, "the current tags are the default")
    }
  }
}
