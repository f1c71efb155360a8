import AsyncHTTPClient
import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Fault injection: the failures a client must survive, on demand.
@Suite struct FaultInjectionTests {
  @Test func headerFaultAnswersWithRetryHintsInVRAsErrorShape() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      let busy = try await harness.http.call(
        .GET, "/deployment/api/deployments", token: session.token, headers: [("X-Sim-Fault", "status=503")])
      #expect(busy.status == 503)
      #expect(try busy.decode(ServiceErrorResponse.self).shouldRetry)
      let limited = try await harness.http.call(
        .GET, "/deployment/api/deployments", token: session.token,
        headers: [("X-Sim-Fault", "status=429;retry-after=2")])
      #expect(limited.status == 429)
      #expect(limited.header("Retry-After") == "2")
      let fine = try await session.get("/deployment/api/deployments")
      #expect(fine.status == 200)
      #expect(await harness.server.stats().faultsInjected == 2)
    }
  }

  @Test(arguments: [("X-Sim-Fault", "status=503"), ("X-Sim-Fail-Resource", "vm")])
  func faultHeadersAreRefusedWhenFaultsAreOff(header: String, value: String) async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let response = try await harness.http.call(
        .GET, "/deployment/api/deployments", token: session.token, headers: [(header, value)])
      #expect(response.status == 400)
      let error = try response.decode(ServiceErrorResponse.self)
      #expect(error.message?.contains(header) == true, "\(error)")
      // Nothing is created behind a refused header: the request is refused before the handler runs.
      let blueprintId = try await session.createBlueprint(name: "quiet", content: SampleTemplates.single)
      let refused = try await session.post(
        "/blueprint/api/blueprint-requests",
        ["blueprintId": .string(blueprintId), "projectId": .string(session.projectId), "deploymentName": "quiet-1"],
        headers: [(header, value)])
      #expect(refused.status == 400)
      let deployments = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self)
      #expect(deployments.content.isEmpty)
    }
  }

  @Test func failResourceHeaderFailsTheNamedResourceWhenFaultsAreOn() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "doomed", content: SampleTemplates.single)
      let order = try await session.requestDeployment(
        blueprintId: blueprintId, name: "doomed-1", headers: [("X-Sim-Fail-Resource", "vm")])
      let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
      #expect(deployment.lastRequest?.status == .failed)
      #expect(deployment.status == .createFailed)
    }
  }

  @Test func ruleAppliesTheGivenNumberOfTimesToMatchingCallsOnly() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      try await harness.server.addFault(
        FaultRule(method: "GET", path: "/deployment/api/deployments", status: 502, times: 2))
      #expect(try await session.get("/iaas/api/projects").status == 200)
      #expect(try await session.get("/deployment/api/deployments").status == 502)
      #expect(try await session.get("/deployment/api/deployments").status == 502)
      #expect(try await session.get("/deployment/api/deployments").status == 200)
    }
  }

  @Test func slowAnswerIsDelayedByTheRule() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      let start = ContinuousClock.now
      let response = try await harness.http.call(
        .GET, "/iaas/api/projects", token: session.token, headers: [("X-Sim-Fault", "delay=0.5")])
      #expect(response.status == 200)
      #expect(ContinuousClock.now - start >= .milliseconds(500))
    }
  }

  @Test func dropAfterCommitClosesTheConnectionButTheDeploymentExists() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      await #expect(throws: (any Error).self) {
        _ = try await harness.http.call(
          .POST, "/blueprint/api/blueprint-requests", token: session.token,
          json: [
            "blueprintId": .string(blueprintId), "projectId": .string(session.projectId), "deploymentName": "ghost",
          ],
          headers: [("X-Sim-Fault", "drop-after-commit")], checkFidelity: false)
      }
      let deployments = try await session.get("/deployment/api/deployments?name=ghost").decode(Page<Deployment>.self)
      #expect(deployments.content.map(\.name) == ["ghost"], "the request was applied before the connection dropped")
      #expect(await harness.server.stats().connectionsDropped == 1)
    }
  }

  @Test func adminFaultEndpointsAddAndClearRules() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      let add = try await harness.http.call(
        .POST, "/_sim/faults", json: ["path": "/iaas/api/projects", "status": 500], checkFidelity: false)
      #expect(add.status == 201)
      #expect(try await session.get("/iaas/api/projects").status == 500)
      let clear = try await harness.http.call(.DELETE, "/_sim/faults", checkFidelity: false)
      #expect(clear.status == 204)
      #expect(try await session.get("/iaas/api/projects").status == 200)
    }
  }

  /// Item 7 of issue 13: rules on the same calls are used up in the order given, and
  /// `GET /_sim/faults` lists each with what is left of it.
  @Test func rulesOnTheSameCallsAreUsedUpInOrder() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      for rule: JSONValue in [
        ["method": "POST", "path": "/blueprint/api/blueprint-requests", "status": 503, "times": 2],
        ["method": "POST", "path": "/blueprint/api/blueprint-requests", "dropAfterCommit": true, "times": 2],
      ] {
        #expect(try await harness.http.call(.POST, "/_sim/faults", json: rule, checkFidelity: false).status == 201)
      }
      func left() async throws -> [Int?] {
        let listed = try await harness.http.call(.GET, "/_sim/faults", checkFidelity: false)
        return (listed.json.arrayValue ?? []).map { $0["times"]?.intValue }
      }
      #expect(try await left() == [2, 2])
      func submit(_ name: String) async throws -> Int? {
        try? await harness.http.call(
          .POST, "/blueprint/api/blueprint-requests", token: session.token,
          json: [
            "blueprintId": .string(blueprintId), "projectId": .string(session.projectId),
            "deploymentName": .string(name),
          ],
          checkFidelity: false
        ).status
      }
      #expect(try await submit("a") == 503)
      #expect(try await submit("b") == 503)
      #expect(try await left() == [0, 2])
      #expect(try await submit("c") == nil, "dropped after commit")
      #expect(try await submit("d") == nil, "dropped after commit")
      #expect(try await left() == [0, 0])
      #expect(try await submit("e") == 202)
      #expect(await harness.server.stats().connectionsDropped == 2)
      let names = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content.map(\.name)
      #expect(names.sorted() == ["c", "d", "e"], "the 503s created nothing, the drops committed")
    }
  }

  @Test func a429ThenA500ThenTheAnswer() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      try await harness.server.addFault(
        FaultRule(method: "GET", path: "/deployment/api/deployments", status: 429, retryAfterSeconds: 1, times: 1))
      try await harness.server.addFault(
        FaultRule(method: "GET", path: "/deployment/api/deployments", status: 500, times: 1))
      var statuses: [Int] = []
      // As a Go client lists deployments (url.Values: keys sorted, `$` escaped).
      let query = URLEncoded.go(["$top": ["10"], "expand": ["lastRequest"], "$orderby": ["name asc"]])
      for _ in 0..<3 { statuses.append(try await session.get("/deployment/api/deployments?\(query)").status) }
      #expect(statuses == [429, 500, 200])
      #expect(await harness.server.faultRules().map(\.times) == [0, 0])
    }
  }
}
