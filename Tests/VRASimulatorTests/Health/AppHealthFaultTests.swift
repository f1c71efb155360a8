import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Health URLs failing on demand: fault rules on `/_sim/apps/`, and `faults.unhealthyApps`.
@Suite struct AppHealthFaultTests {
  @Test func aFaultRuleOnTheAppsPathMakesHealthURLsAnswerItsStatus() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deployAndWait(session, name: "ruled")
      let url = harness.server.healthURL(deploymentId: id, resourceName: "app")
      #expect(try await HealthFixture.probe(url).status == 200)
      // Through the admin API, as a CI job would.
      let added = try await harness.http.call(.POST, "/_sim/faults", json: ["path": "/_sim/apps/", "status": 500])
      #expect(added.status == 201)
      #expect(try await HealthFixture.probe(url).status == 500)
      #expect(try await HealthFixture.probe(url, method: .HEAD).status == 500)
      // The admin API itself stays reachable, so the fault can be cleared.
      #expect(try await harness.http.call(.GET, "/_sim/stats").status == 200)
      #expect(try await harness.http.call(.DELETE, "/_sim/faults").status == 204)
      #expect(try await HealthFixture.probe(url).status == 200)
      // A rule with uses: fails the next call only.
      try await harness.server.addFault(FaultRule(path: "/_sim/apps/\(id)/", status: 502, times: 1))
      #expect(try await HealthFixture.probe(url).status == 502)
      #expect(try await HealthFixture.probe(url).status == 200)
    }
  }

  @Test func aRuleOnTheWholeAdminAPIStillSparesItsOtherRoutes() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      try await harness.server.addFault(FaultRule(path: "/_sim/", status: 500))
      #expect(try await harness.http.call(.GET, "/_sim/stats").status == 200)
      #expect(try await harness.http.call(.GET, "/_sim/faults").status == 200)
      let url = harness.server.healthURL(deploymentId: "d", resourceName: "app")
      #expect(try await HealthFixture.probe(url).status == 500)
    }
  }

  @Test func unhealthyAppsFailsOnlyMatchingDeploymentsOnceProvisioned() async throws {
    try await SimulatorHarness.with({
      $0.faults.enabled = true
      $0.faults.unhealthyApps = ["sick-*"]
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let sick = try await HealthFixture.deployAndWait(session, name: "sick-1")
      let well = try await HealthFixture.deployAndWait(session, name: "well-1")
      let sickURL = harness.server.healthURL(deploymentId: sick, resourceName: "app")
      let wellURL = harness.server.healthURL(deploymentId: well, resourceName: "app")
      let unhealthy = try await HealthFixture.probe(sickURL)
      #expect(unhealthy.status == 500)
      #expect(unhealthy.body == "unhealthy\n")
      #expect(unhealthy.headers.first(name: "Content-Type") == "text/plain; charset=utf-8")
      #expect(try await HealthFixture.probe(wellURL).body == "ok\n")

      // Flipped mid-run from Swift, and back through the admin API.
      try await harness.server.setUnhealthyApps(["well-1"])
      #expect(await harness.server.unhealthyApps() == ["well-1"])
      #expect(try await HealthFixture.probe(wellURL).status == 500)
      #expect(try await HealthFixture.probe(sickURL).status == 200)
      let cleared = try await harness.http.call(.PUT, "/_sim/faults/unhealthy-apps", json: [])
      #expect(cleared.status == 204)
      #expect(try await harness.http.call(.GET, "/_sim/faults/unhealthy-apps").json == [])
      #expect(try await HealthFixture.probe(wellURL).status == 200)
    }
  }

  @Test func unhealthyAppsStillAnswer503WhileTheRequestRuns() async throws {
    try await SimulatorHarness.with({
      $0.faults.enabled = true
      $0.faults.unhealthyApps = ["*"]
      // Held for approval, so the probe lands while the request runs.
      $0.approvals = [ApprovalPolicy(name: "creates", projects: [], actions: ["Deployment.Create"])]
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deploy(session, name: "slow-sick")
      let url = harness.server.healthURL(deploymentId: id, resourceName: "app")
      #expect(try await HealthFixture.probe(url).body == "unavailable: provisioning\n")
      try await harness.server.approve(try #require(await harness.server.approvals(status: .pending).first).id)
      let deployment = try await session.waitForDeployment(id)
      #expect(deployment.status == .createSuccessful, "an unhealthy app provisions normally")
      #expect(try await HealthFixture.probe(url).status == 500)
    }
  }

  @Test func withFaultsDisabledNothingFails() async throws {
    try await SimulatorHarness.with({
      $0.faults.enabled = false
      $0.faults.unhealthyApps = ["*"]
      $0.faults.rules = [FaultRule(path: "/_sim/apps/", status: 500)]
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deployAndWait(session, name: "calm")
      let url = harness.server.healthURL(deploymentId: id, resourceName: "app")
      #expect(try await HealthFixture.probe(url).body == "ok\n")
      await #expect(throws: (any Error).self) { try await harness.server.setUnhealthyApps(["calm"]) }
      let refused = try await harness.http.call(.PUT, "/_sim/faults/unhealthy-apps", json: ["calm"])
      #expect(refused.status == 400)
      #expect(try await HealthFixture.probe(url).status == 200)
    }
  }
}
