import Foundation
import NIOHTTP1
import TestSupport
import Testing
import VRAModels

@testable import EngineServer

/// Every isolation rule of `serve`, each in a test that fails without it.
@Suite("serve: tenant isolation")
struct ServeIsolationTests {
  let files = ["templates/network.yaml": EngineTemplates.network]

  @Test func anotherTenantsRunIsNotFoundWhateverItAsks() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let b = ServeFixture.teamB
      let submitted = try await fixture.submit(a, plan: ServeFixture.plan(), files: files)
      let id = try #require(submitted.json["id"]?.stringValue)
      _ = try await fixture.waitForStatus(a, run: id, in: ["succeeded"])

      for (method, path) in [
        (HTTPMethod.GET, "/api/v1/runs/\(id)"), (.GET, "/api/v1/runs/\(id)/events"),
        (.POST, "/api/v1/runs/\(id)/cancel"), (.POST, "/api/v1/runs/\(id)/destroy"),
      ] {
        let answer = try await fixture.http.call(method, path, token: b.token)
        // 404, the same as for a run that does not exist: B cannot even learn that it exists.
        #expect(answer.status == 404, "\(method) \(path)")
        #expect(answer.json["type"]?.stringValue == "urn:vra-engine:problem:not-found")
        // Exactly what a run that does not exist answers, but for its id.
        let missing = try await fixture.http.call(
          method, path.replacingOccurrences(of: id, with: "ffffffff"), token: b.token)
        #expect(missing.status == 404)
        #expect(
          missing.json["detail"]?.stringValue?.replacingOccurrences(of: "ffffffff", with: id)
            == answer.json["detail"]?.stringValue)
      }
      let listedToB = try await fixture.http.call(.GET, "/api/v1/runs", token: b.token)
      #expect(listedToB.json["runs"]?.arrayValue?.isEmpty == true)
      let listedToA = try await fixture.http.call(.GET, "/api/v1/runs", token: a.token)
      #expect(listedToA.json["runs"]?.arrayValue?.map { $0["id"]?.stringValue } == [id])
      // A's run is still A's to destroy.
      #expect(try await fixture.http.call(.POST, "/api/v1/runs/\(id)/destroy", token: a.token).status == 202)
    }
  }

  @Test func aProjectOutsideTheTenantsListIsRefusedBeforeAnythingIsSent() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let before = try await fixture.simulatorCallCount()
      let inPlan = try await fixture.submit(a, plan: ServeFixture.plan(project: "Production"), files: files)
      #expect(inPlan.status == 403)
      #expect(inPlan.json["type"]?.stringValue == "urn:vra-engine:problem:forbidden")
      #expect(inPlan.json["errors"]?[0]?["field"]?.stringValue == "/stages/net/project")
      let inHeader = try await fixture.submit(
        a, plan: ServeFixture.plan(), files: files, headers: [("X-Project", "Production")])
      #expect(inHeader.status == 403)
      #expect(try await fixture.simulatorCallCount() == before, "nothing may reach vRA for a refused plan")
      let listed = try await fixture.http.call(.GET, "/api/v1/runs", token: a.token)
      #expect(listed.json["runs"]?.arrayValue?.isEmpty == true)
    }
  }

  @Test func eachTenantDeploysWithItsOwnCredentials() async throws {
    try await ServeFixture.with { fixture in
      var deployments: [String: String] = [:]
      for tenant in [ServeFixture.teamA, ServeFixture.teamB] {
        let submitted = try await fixture.submit(
          tenant, plan: ServeFixture.plan(project: tenant.project, deployment: "net-\(tenant.name)"), files: files)
        let id = try #require(submitted.json["id"]?.stringValue, "\(submitted.json)")
        let report = try await fixture.waitForStatus(tenant, run: id, in: ["succeeded", "failed"])
        deployments[tenant.name] = try #require(report["stages"]?[0]?["deploymentId"]?.stringValue)
      }
      // Each deployment lives in its tenant's org: only that tenant's vRA user can see it.
      let simulator = APICaller(baseURL: fixture.simulator.baseURL, checksEachAnswer: false)
      for (owner, other) in [(ServeFixture.teamA, ServeFixture.teamB), (ServeFixture.teamB, ServeFixture.teamA)] {
        let id = try #require(deployments[owner.name])
        let ownerToken = try await simulator.login(username: owner.username, password: owner.password, domain: "corp")
        let otherToken = try await simulator.login(username: other.username, password: other.password, domain: "corp")
        #expect(
          try await simulator.call(.GET, "/deployment/api/deployments/\(id)", token: ownerToken.access).status == 200)
        #expect(
          try await simulator.call(.GET, "/deployment/api/deployments/\(id)", token: otherToken.access).status == 404)
      }
    }
  }

  @Test func credentialsAreNeededAndCheckedOnEveryAPIRoute() async throws {
    try await ServeFixture.with { fixture in
      for token in [nil, "vre_not-a-token"] {
        let answer = try await fixture.http.call(.GET, "/api/v1/runs", token: token)
        #expect(answer.status == 401)
        #expect(answer.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(answer.header("Content-Type") == "application/problem+json")
        #expect(answer.json["type"]?.stringValue == "urn:vra-engine:problem:unauthenticated")
      }
      #expect(try await fixture.http.call(.GET, "/healthz").status == 200)
      #expect(try await fixture.http.call(.GET, "/readyz").status == 200)
    }
  }

  @Test func aPlanCannotReadTheServicesEnvironmentFilesOrUnlistedVaultPaths() async throws {
    try await ServeFixture.with { fixture in
      for reference in ["env:HOME", "file:/etc/passwd", "vault:secret/team-b#password"] {
        let plan = """
          name: sneaky
          defaults: {project: Development}
          stages:
            vm:
              template: templates/machine.yaml
              deploymentName: "vm-${run.id}"
              inputs: {network: n1}
              secrets: {password: "\(reference)"}
          """
        let answer = try await fixture.submit(
          ServeFixture.teamA, plan: plan, files: ["templates/machine.yaml": EngineTemplates.machine])
        #expect(answer.status == 403, "\(reference): \(answer.json)")
        #expect(answer.json["errors"]?[0]?["field"]?.stringValue == "/stages/vm/secrets/password")
      }
      // `${env.X}` in a plan reads nothing of the service's environment either.
      let plan = """
        name: env
        defaults: {project: Development}
        stages:
          net: {template: templates/network.yaml, deploymentName: "net-${env.HOME}"}
        """
      let answer = try await fixture.submit(
        ServeFixture.teamA, plan: plan, files: ["templates/network.yaml": EngineTemplates.network])
      #expect(answer.status == 422)
    }
  }

  @Test func noAnswerOrEventEverShowsATenantsVRAPassword() async throws {
    try await ServeFixture.with { fixture in
      var bodies: [String] = []
      for tenant in [ServeFixture.teamA, ServeFixture.teamB] {
        let submitted = try await fixture.submit(
          tenant, plan: ServeFixture.plan(project: tenant.project), files: files)
        bodies.append(String(decoding: submitted.body, as: UTF8.self))
        let id = try #require(submitted.json["id"]?.stringValue)
        let report = try await fixture.waitForStatus(tenant, run: id, in: ["succeeded", "failed"])
        bodies.append("\(report)")
        bodies.append(try await fixture.eventStream(tenant, run: id).1)
        bodies.append(
          String(decoding: try await fixture.http.call(.GET, "/api/v1/runs", token: tenant.token).body, as: UTF8.self))
        // A plan that fails against vRA: its error text is an answer too.
        let failing = try await fixture.submit(
          tenant,
          plan: ServeFixture.plan(name: "bad", project: tenant.project).replacingOccurrences(
            of: "network.yaml", with: "missing.yaml"),
          files: files)
        bodies.append(String(decoding: failing.body, as: UTF8.self))
      }
      bodies.append(String(decoding: try await fixture.http.call(.GET, "/metrics").body, as: UTF8.self))
      let stored = try await fixture.running.store.runs(limit: 100)
      for run in stored {
        for event in try await fixture.running.store.events(of: run.id) { bodies.append("\(event)") }
        bodies.append("\(run)")
      }
      for canary in [ServeFixture.teamA.password, ServeFixture.teamB.password] {
        #expect(!bodies.contains { $0.contains(canary) }, "a tenant's vRA password was shown")
      }
      #expect(bodies.count > 10)
    }
  }
}

extension ServeFixture {
  /// How many calls the simulator answered so far (its `/_sim/stats`).
  func simulatorCallCount() async throws -> Int {
    let stats = try await APICaller(baseURL: simulator.baseURL, checksEachAnswer: false).call(.GET, "/_sim/stats")
    return try #require(stats.json["totalRequests"]?.intValue)
  }
}
