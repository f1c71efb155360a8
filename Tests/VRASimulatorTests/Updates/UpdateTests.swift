import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// A blueprint request with `deploymentId` updates that deployment in place, as vRA does.
@Suite struct UpdateTests {
  @Test func newInputsUpdateTheSameDeploymentThroughOneUpdateRequest() async throws {
    // The update takes about 6 s, so it is still in progress when read right after the POST even on a
    // loaded machine (0.6 s was not, in a CI run).
    try await SimulatorHarness.with({ $0.timeScale = 0.1 }) { harness in
      let session = try await SimulatorSession.start(harness)
      let created = try await UpdateFixture.deploy(session, name: "web-1")
      let deploymentId = try #require(created.id)
      let webId = try #require(created.resource("web")?.id)
      #expect(created.lastRequest?.outputs?["flavor"] == "small")

      let answer = try await UpdateFixture.update(session, deploymentId, inputs: ["size": "large"])
      #expect(answer.status == 202, "\(answer.json)")
      let order = try answer.decode(BlueprintRequest.self)
      #expect(order.deploymentId == deploymentId)
      #expect(order.deploymentName == "web-1")

      // In the answer's own call: the Update request is the last request, the inputs are the new ones.
      let started = try await session.get("/deployment/api/deployments/\(deploymentId)?expand=lastRequest")
        .decode(Deployment.self)
      #expect(started.status == .updateInProgress)
      #expect(started.lastRequest?.name == "Update")
      #expect(started.lastRequest?.actionId == "Deployment.Update")
      #expect(started.lastRequest?.id == order.requestTrackerId)
      #expect(started.inputs?["size"] == "large")

      let updated = try await session.waitForDeployment(deploymentId)
      #expect(updated.status == .updateSuccessful)
      #expect(updated.lastRequest?.status == .successful)
      #expect(updated.lastRequest?.outputs?["flavor"] == "large", "outputs are evaluated again")
      #expect(updated.resource("web")?.id == webId, "an update in place keeps the resource")
      #expect(updated.resource("web")?.properties?["flavor"] == "large")
      let history = try await UpdateFixture.history(session, deploymentId)
      #expect(history.map(\.name) == ["Update", "Create"])
      #expect(try await UpdateFixture.waitForBlueprintRequest(session, try #require(order.id)).status == .finished)
      let all = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self)
      #expect(all.content.count == 1, "an update creates no deployment")
      #expect(await harness.server.stats().deploymentsCreated == 1)
    }
  }

  @Test func aNewTemplateAddsRemovesUpdatesAndRecreatesResources() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let created = try await UpdateFixture.deploy(session, name: "shop")
      let deploymentId = try #require(created.id)
      let before = Dictionary(uniqueKeysWithValues: (created.resources ?? []).map { ($0.name, $0.id) })
      #expect(Set(before.keys) == ["net", "web", "app", "disk"])

      let answer = try await UpdateFixture.update(
        session, deploymentId, content: UpdateFixture.version2, inputs: ["size": "large"])
      #expect(answer.status == 202, "\(answer.json)")
      let updated = try await session.waitForDeployment(deploymentId)
      #expect(updated.status == .updateSuccessful, "\(String(describing: updated.lastRequest?.details))")
      let after = Dictionary(uniqueKeysWithValues: (updated.resources ?? []).map { ($0.name, $0.id) })
      #expect(Set(after.keys) == ["net", "web", "app", "db"])
      #expect(after["net"] == before["net"], "unchanged")
      #expect(after["web"] == before["web"], "updated in place")
      #expect(after["app"] != before["app"], "a machine on another image is a new machine")
      #expect(updated.resource("app")?.properties?["image"] == "rhel-9")
      #expect(updated.resource("web")?.properties?["flavor"] == "large")
      #expect(updated.lastRequest.map { $0.completedTasks == $0.totalTasks } == true)
    }
  }

  @Test func aResourceDeletedOutsideIsCreatedAgain() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let created = try await UpdateFixture.deploy(session, name: "drifted")
      let deploymentId = try #require(created.id)
      let diskId = try #require(created.resource("disk")?.id)
      let removed = try await harness.http.call(
        .DELETE, "/_sim/deployments/\(deploymentId)/resources/\(diskId)", checkFidelity: false)
      #expect(removed.status == 204)
      let gone = try await session.get("/deployment/api/deployments/\(deploymentId)?expand=resources")
        .decode(Deployment.self)
      #expect(gone.resource("disk") == nil)

      _ = try await UpdateFixture.update(session, deploymentId)
      let updated = try await session.waitForDeployment(deploymentId)
      #expect(updated.status == .updateSuccessful)
      #expect(updated.resource("disk") != nil)
      #expect(updated.resource("disk")?.id != diskId)
    }
  }

  @Test func aFailedUpdateKeepsTheNewInputsAndTheLastSuccessKeepsTheOldOnes() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await SimulatorSession.start(harness)
      let created = try await UpdateFixture.deploy(session, name: "web-fails", inputs: ["size": "small"])
      let deploymentId = try #require(created.id)
      let webId = try #require(created.resource("web")?.id)
      let set = try await harness.http.call(.PUT, "/_sim/faults/fail-updates", json: ["web-*"], checkFidelity: false)
      #expect(set.status == 204)

      let answer = try await UpdateFixture.update(session, deploymentId, inputs: ["size": "large"])
      #expect(answer.status == 202)
      let failed = try await session.waitForDeployment(deploymentId)
      #expect(failed.status == .updateFailed)
      #expect(failed.lastRequest?.status == .failed)
      #expect(failed.lastRequest?.details?.contains("failUpdates") == true, "\(String(describing: failed.lastRequest))")
      #expect(failed.inputs?["size"] == "large", "vRA keeps the inputs the failed update asked for")
      #expect(failed.resource("web")?.id == webId)

      let history = try await UpdateFixture.history(session, deploymentId)
      #expect(history.map(\.status) == [.failed, .successful])
      #expect(history.first?.inputs?["size"] == "large")
      let lastSuccess = try #require(history.first { $0.status == .successful })
      #expect(lastSuccess.inputs?["size"] == "small")
      let blueprintRequest = try await UpdateFixture.waitForBlueprintRequest(
        session, try #require(answer.decode(BlueprintRequest.self).id))
      #expect(blueprintRequest.status == .failed)

      // Another deployment's updates are not affected.
      let other = try #require(try await UpdateFixture.deploy(session, name: "db-1").id)
      _ = try await UpdateFixture.update(session, other, inputs: ["size": "large"])
      #expect(try await session.waitForDeployment(other).status == .updateSuccessful)
    }
  }

  @Test func failUpdatesIsRefusedWithoutFaults() async throws {
    try await SimulatorHarness.with { harness in
      let set = try await harness.http.call(.PUT, "/_sim/faults/fail-updates", json: ["x"], checkFidelity: false)
      #expect(set.status == 400)
    }
  }

  @Test func updatesAreValidatedAgainstTheNewTemplate() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deploymentId = try #require(try await UpdateFixture.deploy(session, name: "checked").id)
      let badInput = try await UpdateFixture.update(session, deploymentId, inputs: ["size": "huge"])
      #expect(badInput.status == 400)
      let messages = badInput.json["validationMessages"]?.arrayValue ?? []
      #expect(messages.contains { $0["path"]?.stringValue?.contains("size") == true }, "\(badInput.json)")
      let unknownInput = try await UpdateFixture.update(
        session, deploymentId, content: SampleTemplates.single, inputs: ["size": "large"])
      #expect(unknownInput.status == 400, "the new template has no input 'size'")
      let missing = try await UpdateFixture.update(session, "00000000-0000-0000-0000-000000000000")
      #expect(missing.status == 404)
      #expect(try await UpdateFixture.history(session, deploymentId).count == 1, "nothing was started")
    }
  }
}

/// Changes made outside vRA show in the next what-if and are undone by the next update.
@Suite struct OutsideChangeTests {
  @Test func aPropertyChangedOutsideIsAnUpdateInTheWhatIfAndTheUpdateRestoresIt() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let created = try await UpdateFixture.deploy(session, name: "hand-edited")
      let deploymentId = try #require(created.id)
      let webId = try #require(created.resource("web")?.id)
      let patched = try await harness.http.call(
        .PATCH, "/_sim/deployments/\(deploymentId)/resources/\(webId)",
        json: ["properties": ["flavor": "tiny"]], checkFidelity: false)
      #expect(patched.status == 200, "\(patched.json)")
      #expect(try patched.decode(DeploymentResource.self).properties?["flavor"] == "tiny")

      let whatIf = try await UpdateFixture.update(session, deploymentId, plan: true)
      let planId = try #require(try whatIf.decode(BlueprintRequest.self).id)
      _ = try await UpdateFixture.waitForBlueprintRequest(session, planId)
      let plan = try await session.get("/blueprint/api/blueprint-requests/\(planId)/resources-plan")
        .decode(BlueprintResourcesPlan.self)
      let web = try #require(plan.resources?.first { $0.resourceName == "web" })
      #expect(web.resourceReason == .update)
      #expect(web.oldProperties?["flavor"] == "tiny")
      #expect(web.newProperties?["flavor"] == "small")
      #expect(plan.resources?.filter { $0.resourceReason != .read }.count == 1, "only the edited resource")

      _ = try await UpdateFixture.update(session, deploymentId)
      let updated = try await session.waitForDeployment(deploymentId)
      #expect(updated.resource("web")?.properties?["flavor"] == "small")
      #expect(updated.resource("web")?.id == webId)
    }
  }
}
