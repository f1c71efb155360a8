import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Action requests behave like provisioning requests: one at a time per deployment, cancel, dismiss,
/// user events, and the query strings real clients send.
@Suite struct ActionRequestTests {
  /// Quick provisioning, but a power action that takes 12 s: long enough for every call made while it
  /// runs to find it running, even on a loaded machine (each test cancels it instead of waiting).
  static func slowActions(_ configuration: inout SimulatorConfiguration) {
    configuration.timeScale = 1
    configuration.durations.initialization = 0.1
    configuration.durations.completion = 0.1
    configuration.durations.resourceTypes = ["Cloud.vSphere.Machine": 0.2, "Cloud.vSphere.Network": 0.1]
    configuration.durations.actions["PowerOff"] = 12
  }

  @Test func everyRequestDuringAnActionIsAConflict() async throws {
    try await SimulatorHarness.with(Self.slowActions) { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await DayTwoFixture.deploy(session, name: "busy")
      let id = try #require(deployment.id)
      let running = try await DayTwoFixture.run(session, id, "Deployment.PowerOff")
      let runningId = try #require(running.id)
      let machine = try #require(DayTwoFixture.machines(deployment).first?.id)
      let refused = [
        try await DayTwoFixture.submit(session, id, "Deployment.EditTags", inputs: ["tags": []]),
        try await DayTwoFixture.submit(session, id, "Deployment.PowerOn"),
        try await DayTwoFixture.submit(session, id, resourceId: machine, "Cloud.vSphere.Machine.Resize"),
        try await session.delete("/deployment/api/deployments/\(id)"),
      ]
      for response in refused {
        #expect(response.status == 409, "\(response.json)")
        let error = try response.decode(ServiceErrorResponse.self)
        #expect(error.messageId == "deployment.request.in.progress")
        #expect(error.message?.contains(runningId) == true, "\(error)")
      }
      let actions = try await DayTwoFixture.actions(session, id)
      #expect(actions.values.allSatisfy { $0.valid == false }, "nothing is valid while a request runs")
      let history = try await UpdateFixture.history(session, id)
      #expect(history.map(\.name) == ["Power Off", "Create"])
      #expect(history.first?.status?.isTerminal == false, "still running: the 409s were not a race")
      #expect(try await session.post("/deployment/api/requests/\(runningId)?action=cancel", [:]).status == 200)
    }
  }

  @Test func cancellingAnActionEndsItAborted() async throws {
    try await SimulatorHarness.with(Self.slowActions) { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try #require(try await DayTwoFixture.deploy(session, name: "cancelled").id)
      let request = try await DayTwoFixture.run(session, id, "Deployment.PowerOff")
      let requestId = try #require(request.id)
      #expect(request.cancelable == true)
      _ = try await DayTwoFixture.wait(session, requestId, for: .inProgress)
      let cancel = try await session.post("/deployment/api/requests/\(requestId)?action=cancel", [:])
      #expect(cancel.status == 200, "\(cancel.json)")
      #expect(cancel.body.isEmpty, "the spec documents no body")
      let ended = try await DayTwoFixture.request(session, requestId)
      #expect(ended.status == .aborted, "cancelled at once")
      #expect(ended.cancelable == false)
      let deployment = try await DayTwoFixture.deployment(session, id)
      #expect(deployment.status == .updateFailed)
      #expect(DayTwoFixture.machines(deployment).allSatisfy { $0.properties?["powerState"] == "ON" })
      let again = try await session.post("/deployment/api/requests/\(requestId)?action=cancel", [:])
      #expect(again.status == 400, "a finished request cannot be cancelled")
      #expect(try again.decode(ServiceErrorResponse.self).messageId == "deployment.request.not.cancelable")
      let unknown = try await session.post("/deployment/api/requests/\(requestId)?action=nap", [:])
      #expect(unknown.status == 400)
      let missing = try await session.post(
        "/deployment/api/requests/00000000-0000-0000-0000-000000000000?action=cancel", [:])
      #expect(missing.status == 404)
    }
  }

  @Test func dismissMarksAFailedRequest() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "flaky", content: SampleTemplates.single)
      let order = try await session.requestDeployment(
        blueprintId: blueprintId, name: "flaky-1", headers: [("X-Sim-Fail-Resource", "vm")])
      let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
      let failed = try #require(deployment.lastRequest)
      #expect(failed.status == .failed)
      #expect(failed.dismissed == false)
      let dismiss = try await session.post("/deployment/api/requests/\(try #require(failed.id))?action=dismiss", [:])
      #expect(dismiss.status == 200, "\(dismiss.json)")
      let after = try await DayTwoFixture.request(session, try #require(failed.id))
      #expect(after.dismissed == true)
      #expect(after.status == .failed)

      let healthy = try await DayTwoFixture.deploy(session, name: "healthy")
      let succeeded = try #require(healthy.lastRequest?.id)
      let refused = try await session.post("/deployment/api/requests/\(succeeded)?action=dismiss", [:])
      #expect(refused.status == 400, "only FAILED requests are dismissed")
    }
  }

  @Test func userEventsListEachRequestNewestFirst() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try #require(try await DayTwoFixture.deploy(session, name: "eventful").id)
      let off = try await DayTwoFixture.run(session, id, "Deployment.PowerOff")
      _ = try await DayTwoFixture.wait(session, try #require(off.id))
      let page = try await session.get("/deployment/api/deployments/\(id)/userEvents")
        .decode(Page<JSONValue>.self)
      #expect(page.totalElements == 2)
      #expect(page.content.map { $0["name"] } == ["Power Off", "Create"])
      #expect(page.content.map { $0["status"] } == ["SUCCESSFUL", "SUCCESSFUL"])
      #expect(page.content.first?["requestId"]?.stringValue == off.id)
      #expect(page.content.first?["requestedBy"] == "admin@vsphere.local")
      let first = try await session.get(
        "/deployment/api/deployments/\(id)/userEvents?\(URLEncoded.python([("$top", "1"), ("$skip", "1")]))"
      ).decode(Page<JSONValue>.self)
      #expect(first.content.map { $0["name"] } == ["Create"])
      #expect(try await session.get("/deployment/api/deployments/nope/userEvents").status == 404)
    }
  }

  /// What Python's `urlencode` and Go's `url.Values` send: `%24top`, `+` for spaces.
  @Test func actionEndpointsReadEncodedQueries() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await DayTwoFixture.deploy(session, name: "encoded")
      let id = try #require(deployment.id)
      let machine = try #require(DayTwoFixture.machines(deployment).first?.id)
      let query = URLEncoded.python([("apiVersion", "2020-08-25"), ("$top", "5"), ("reason", "a b")])
      #expect(query.contains("%24top=5") && query.contains("a+b"), "\(query)")
      let actions = try await session.get("/deployment/api/deployments/\(id)/actions?\(query)")
      #expect(actions.status == 200)
      #expect(try actions.decode([DeploymentAction].self).count == 6)
      let one = try await session.get("/deployment/api/deployments/\(id)/actions/Deployment.PowerOff?\(query)")
      #expect(try one.decode(DeploymentAction.self).id == "Deployment.PowerOff")
      let resourceActions = try await session.get(
        "/deployment/api/deployments/\(id)/resources/\(machine)/actions?\(query)")
      #expect(try resourceActions.decode([DeploymentAction].self).count == 3)
      let submitted = try await session.post(
        "/deployment/api/deployments/\(id)/requests?\(URLEncoded.go(["apiVersion": ["2020-08-25"]]))",
        ["actionId": "Deployment.PowerOff", "inputs": [:], "reason": "night"])
      #expect(submitted.status == 200, "\(submitted.json)")
      let requestId = try #require(try submitted.decode(DeploymentRequest.self).id)
      _ = try await DayTwoFixture.wait(session, requestId)
      let events = try await session.get(
        "/deployment/api/deployments/\(id)/userEvents?\(URLEncoded.python([("$top", "1"), ("$orderby", "createdAt desc")]))"
      ).decode(Page<JSONValue>.self)
      #expect(events.content.first?["requestId"]?.stringValue == requestId)
    }
  }
}
