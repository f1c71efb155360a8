import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Machines' health URLs (`healthUrl`, served by the simulator under `/_sim/apps/`): what a smoke
/// check after a deployment reaches, following the deployment's life.
@Suite struct AppHealthTests {
  /// The create waits for approval (so a probe before it is approved lands while the request runs,
  /// however loaded the machine is), and machines take long enough to be caught provisioning.
  static let gatedAndSlow: @Sendable (inout SimulatorConfiguration) -> Void = {
    $0.approvals = [ApprovalPolicy(name: "creates", projects: [], actions: ["Deployment.Create"])]
    $0.durations.resourceTypes["Cloud.vSphere.Machine"] = 300
  }

  @Test func answers503WhileProvisioningThen200ThenNotOnceDeleted() async throws {
    try await SimulatorHarness.with(Self.gatedAndSlow) { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deploy(session, name: "shop")
      let expected = harness.server.healthURL(deploymentId: id, resourceName: "app")
      #expect(expected == "http://127.0.0.1:\(harness.server.port)/_sim/apps/\(id)/app")

      // While the request runs, before the machine even joins the deployment.
      let early = try await HealthFixture.probe(expected)
      #expect(early.status == 503)
      #expect(early.body == "unavailable: provisioning\n")
      #expect(early.headers.first(name: "Retry-After") == "1")
      #expect(early.headers.first(name: "Content-Type") == "text/plain; charset=utf-8")
      let approval = try #require(await harness.server.approvals(status: .pending).first)
      try await harness.server.approve(approval.id)

      // The property shows as soon as the machine joins, while it still provisions. A probe counts
      // only when the machine is still PARTIAL after it (a loaded machine may finish it first).
      let url = try await session.http.poll { try await HealthFixture.healthURL(session, id, "app") }
      #expect(url == expected)
      let provisioning = try await HealthFixture.probe(url)
      if try await HealthFixture.resources(session, id)["app"]?.state == .partial {
        #expect(provisioning.status == 503)
        #expect(provisioning.body == "unavailable: provisioning\n")
      }
      #expect(try await HealthFixture.resources(session, id)["net"]?.properties?["healthUrl"] == nil)

      let ok = try await HealthFixture.waitFor(200, at: url)
      #expect(ok.body == "ok\n")
      #expect(ok.headers.first(name: "Content-Type") == "text/plain; charset=utf-8")
      #expect(ok.headers.first(name: "Retry-After") == nil)
      #expect(try await HealthFixture.resources(session, id)["app"]?.state == .ok, "200 only once provisioned")

      // The template's output resolves to the same URL, on the deployment's request and on its own.
      let deployment = try await session.waitForDeployment(id)
      #expect(deployment.status == .createSuccessful)
      #expect(deployment.lastRequest?.outputs?["url"] == .string(url))
      let requestId = try #require(deployment.lastRequest?.id)
      let request = try await session.get("/deployment/api/requests/\(requestId)").decode(DeploymentRequest.self)
      #expect(request.outputs?["url"] == .string(url))
      #expect(try await HealthFixture.probe(url).status == 200, "still up once the request is done")

      try await harness.server.setApprovalPolicies([])
      let delete = try await session.delete("/deployment/api/deployments/\(id)")
      #expect(delete.status == 200)
      let deleteId = try #require(try delete.decode(DeploymentRequest.self).id)
      // From the moment the delete is accepted: `deleting` while the machine goes, then `deleted`.
      let going = try await HealthFixture.probe(url)
      #expect(going.status == 503)
      #expect(["unavailable: deleting\n", "unavailable: deleted\n"].contains(going.body), "\(going.body)")
      _ = try await session.http.poll {
        let request = try await session.get("/deployment/api/requests/\(deleteId)").decode(DeploymentRequest.self)
        return request.status == .successful ? request : nil
      }
      let gone = try await HealthFixture.probe(url)
      #expect(gone.status == 503)
      #expect(gone.body == "unavailable: deleted\n")
    }
  }

  @Test func aDeleteWaitingForApprovalLeavesTheAppUp() async throws {
    try await SimulatorHarness.with({
      $0.approvals = [ApprovalPolicy(name: "deletes", projects: [], actions: ["Deployment.Delete"])]
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deployAndWait(session, name: "guarded")
      let url = harness.server.healthURL(deploymentId: id, resourceName: "app")
      #expect(try await session.delete("/deployment/api/deployments/\(id)").status == 200)
      let approval = try await session.http.poll { await harness.server.approvals(status: .pending).first }
      // Nothing is deleted before someone approves: the application still answers.
      #expect(try await HealthFixture.probe(url).body == "ok\n")
      try await harness.server.approve(approval.id)
      let gone = try await HealthFixture.waitFor(503, at: url)
      #expect(["unavailable: deleting\n", "unavailable: deleted\n"].contains(gone.body), "\(gone.body)")
    }
  }

  @Test func headAnswersWithoutABody() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deployAndWait(session, name: "headed")
      let url = try #require(try await HealthFixture.healthURL(session, id, "app"))
      let head = try await HealthFixture.probe(url, method: .HEAD)
      #expect(head.status == 200)
      #expect(head.body.isEmpty)
      #expect(head.headers.first(name: "Content-Type") == "text/plain; charset=utf-8")
      let unknown = try await HealthFixture.probe(
        harness.server.healthURL(deploymentId: id, resourceName: "nope"), method: .HEAD)
      #expect(unknown.status == 503)
      #expect(unknown.body.isEmpty)
      // The connection is still usable after bodiless answers.
      #expect(try await HealthFixture.probe(url).body == "ok\n")
    }
  }

  @Test func unknownDeploymentsAndResourcesAnswer503() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deployAndWait(session, name: "known")
      let noDeployment = try await HealthFixture.probe(
        harness.server.healthURL(deploymentId: UUID().uuidString.lowercased(), resourceName: "app"))
      #expect(noDeployment.status == 503)
      #expect(noDeployment.body == "unavailable: unknown deployment\n")
      let noResource = try await HealthFixture.probe(harness.server.healthURL(deploymentId: id, resourceName: "db"))
      #expect(noResource.status == 503)
      #expect(noResource.body == "unavailable: unknown resource\n")
      // A network is a resource, but not one with a health URL; it answers as its deployment is.
      #expect(try await HealthFixture.resources(session, id)["net"]?.properties?["healthUrl"] == nil)
    }
  }

  @Test func instanceNamesArePercentEncodedPathSegments() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let template = SampleTemplates.webServer.replacingOccurrences(of: "count: ${input.count}", with: "count: 2")
      let id = try await HealthFixture.deployAndWait(session, name: "counted", template: template)
      let url = try #require(try await HealthFixture.healthURL(session, id, "web[1]"))
      #expect(url == "http://127.0.0.1:\(harness.server.port)/_sim/apps/\(id)/web%5B1%5D")
      #expect(try await HealthFixture.probe(url).status == 200)
      let first = try #require(try await HealthFixture.healthURL(session, id, "web[0]"))
      #expect(first.hasSuffix("/web%5B0%5D"))
      #expect(try await HealthFixture.probe(first).body == "ok\n")
    }
  }

  @Test func poweredOffMachinesAnswer503UntilPoweredOn() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deployAndWait(session, name: "sleepy")
      let url = try #require(try await HealthFixture.healthURL(session, id, "app"))
      #expect(try await HealthFixture.probe(url).status == 200)
      let off = try await session.post(
        "/deployment/api/deployments/\(id)/requests", ["actionId": "Deployment.PowerOff", "inputs": [:]])
      #expect(off.status == 200, "\(off.json)")
      let asleep = try await HealthFixture.waitFor(503, at: url)
      #expect(asleep.body == "unavailable: powered off\n")
      _ = try await session.waitForDeployment(id)
      let on = try await session.post(
        "/deployment/api/deployments/\(id)/requests", ["actionId": "Deployment.PowerOn", "inputs": [:]])
      #expect(on.status == 200, "\(on.json)")
      #expect(try await HealthFixture.waitFor(200, at: url).body == "ok\n")
    }
  }

  @Test func aFailedProvisioningAnswers503Failed() async throws {
    try await SimulatorHarness.with({
      $0.faults.enabled = true
      $0.faults.failResources = ["app"]
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deploy(session, name: "broken")
      let deployment = try await session.waitForDeployment(id)
      #expect(deployment.status == .createFailed)
      let answer = try await HealthFixture.probe(harness.server.healthURL(deploymentId: id, resourceName: "app"))
      #expect(answer.status == 503)
      #expect(answer.body == "unavailable: failed\n")
    }
  }

  @Test func theURLCarriesThePortBoundForPortZero() async throws {
    try await SimulatorHarness.with { harness in
      #expect(harness.server.port != 0)
      let session = try await SimulatorSession.start(harness)
      let id = try await HealthFixture.deployAndWait(session, name: "ported")
      let url = try #require(try await HealthFixture.healthURL(session, id, "app"))
      #expect(url.hasPrefix("http://127.0.0.1:\(harness.server.port)/_sim/apps/"))
      #expect(try await HealthFixture.probe(url).status == 200)
    }
  }

  @Test func urlsOfASavedStateFollowTheNextPort() async throws {
    let file = try Scratch.directory().appendingPathComponent("sim.json").path
    let configure: @Sendable (inout SimulatorConfiguration) -> Void = { $0.stateFile = file }
    let (id, port) = try await SimulatorHarness.with(configure) { harness in
      let session = try await SimulatorSession.start(harness)
      return (try await HealthFixture.deployAndWait(session, name: "kept"), harness.server.port)
    }
    // As if saved by a run on another port (the next port 0 may, rarely, be the same one).
    let saved = try String(contentsOfFile: file, encoding: .utf8)
    #expect(saved.contains("127.0.0.1:\(port)"))
    try saved.replacingOccurrences(of: "127.0.0.1:\(port)", with: "127.0.0.1:1")
      .write(toFile: file, atomically: true, encoding: .utf8)
    try await SimulatorHarness.with(configure) { harness in
      let session = try await SimulatorSession.start(harness)
      let expected = harness.server.healthURL(deploymentId: id, resourceName: "app")
      #expect(try await HealthFixture.healthURL(session, id, "app") == expected)
      let deployment = try await session.waitForDeployment(id)
      #expect(deployment.lastRequest?.outputs?["url"] == .string(expected))
      #expect(try await HealthFixture.probe(expected).body == "ok\n")
    }
  }
}
