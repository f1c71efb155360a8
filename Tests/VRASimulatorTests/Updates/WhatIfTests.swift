import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// `plan: true` is vRA's what-if: it changes nothing and answers the plan per resource.
@Suite struct WhatIfTests {
  @Test func aWhatIfOfAnUpdateShowsEachResourcesReasonAndChangesNothing() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let created = try await UpdateFixture.deploy(session, name: "shop")
      let deploymentId = try #require(created.id)
      let lastRequestId = try #require(created.lastRequest?.id)

      let answer = try await UpdateFixture.update(
        session, deploymentId, content: UpdateFixture.version2,
        inputs: ["size": "large", "password": "second-secret-2"], plan: true)
      #expect(answer.status == 202, "\(answer.json)")
      let order = try answer.decode(BlueprintRequest.self)
      #expect(order.plan == true)
      #expect(order.requestTrackerId == nil, "a what-if has no deployment request")
      let finished = try await UpdateFixture.waitForBlueprintRequest(session, try #require(order.id))
      #expect(finished.status == .finished)

      let response = try await session.get("/blueprint/api/blueprint-requests/\(try #require(order.id))/resources-plan")
      #expect(response.status == 200, "\(response.json)")
      let plan = try response.decode(BlueprintResourcesPlan.self)
      let byName = Dictionary(uniqueKeysWithValues: (plan.resources ?? []).map { ($0.resourceName ?? "", $0) })
      #expect(byName["net"]?.resourceReason == .read)
      #expect(byName["web"]?.resourceReason == .update)
      #expect(byName["web"]?.oldProperties?["flavor"] == "small")
      #expect(byName["web"]?.newProperties?["flavor"] == "large")
      #expect(byName["app"]?.resourceReason == .recreate)
      #expect(byName["app"]?.oldProperties?["image"] == "ubuntu")
      #expect(byName["app"]?.newProperties?["image"] == "rhel-9")
      #expect(byName["db"]?.resourceReason == .create)
      #expect(byName["db"]?.oldProperties == nil)
      #expect(byName["disk"]?.resourceReason == .delete)
      #expect(byName["disk"]?.newProperties == nil)
      #expect(byName["web"]?.dependsOnResources == ["net"])
      #expect(byName["web"]?.taskNames?.count == 1)
      #expect(byName["net"]?.taskNames == [])
      // Encrypted inputs never show in clear, old or new.
      #expect(byName["app"]?.newProperties?["adminPassword"] == "*****")
      #expect(byName["app"]?.oldProperties?["adminPassword"] == "*****")
      let text = String(decoding: response.body, as: UTF8.self)
      #expect(!text.contains("second-secret-2") && !text.contains("first-secret-1"))

      let tasks = try await session.get("/blueprint/api/blueprint-requests/\(try #require(order.id))/plan?expand=true")
      #expect(tasks.status == 200, "\(tasks.json)")
      let detailed = try tasks.decode(BlueprintPlan.self)
      #expect(detailed.inputProperties?["password"] == "*****")
      #expect(detailed.inputProperties?["size"] == "large")
      #expect(Set((detailed.tasks ?? []).compactMap(\.resourceName)) == ["web", "app", "db", "disk"])
      #expect(detailed.tasks?.first { $0.resourceName == "web" }?.inputProperties?["flavor"] == "large")
      #expect(!String(decoding: tasks.body, as: UTF8.self).contains("second-secret-2"))
      let brief = try await session.get("/blueprint/api/blueprint-requests/\(try #require(order.id))/plan")
        .decode(BlueprintPlan.self)
      #expect(brief.tasks?.allSatisfy { $0.inputProperties == nil } == true, "task properties need expand=true")

      // Nothing changed: same resources, inputs, requests; no deployment made.
      let after = try await session.get("/deployment/api/deployments/\(deploymentId)?expand=lastRequest,resources")
        .decode(Deployment.self)
      #expect(after.lastRequest?.id == lastRequestId)
      #expect(after.status == .createSuccessful)
      #expect(after.inputs == created.inputs)
      #expect(Set((after.resources ?? []).compactMap(\.id)) == Set((created.resources ?? []).compactMap(\.id)))
      #expect(try await UpdateFixture.history(session, deploymentId).count == 1)
      #expect(await harness.server.stats().deploymentsCreated == 1)
    }
  }

  @Test func aWhatIfOfANewDeploymentCreatesEverythingOnlyOnPaperAndHasNoPlanBeforeItFinishes() async throws {
    // Real seconds here, so the request is still CREATED/STARTED when first read (FINISHED after 10 s:
    // 4 s was too short for a loaded CI run).
    try await SimulatorHarness.with({
      $0.timeScale = 1
      $0.durations.initialization = 20
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let answer = try await session.post(
        "/blueprint/api/blueprint-requests",
        [
          "content": .string(UpdateFixture.version1), "projectId": .string(session.projectId),
          "deploymentName": "paper", "plan": true,
        ])
      #expect(answer.status == 202, "\(answer.json)")
      let order = try answer.decode(BlueprintRequest.self)
      let id = try #require(order.id)
      #expect(order.status == .created)
      #expect(order.deploymentId == nil)
      let early = try await session.get("/blueprint/api/blueprint-requests/\(id)/resources-plan")
      #expect(early.status == 404, "no plan before the what-if is FINISHED")
      #expect(try early.decode(ServiceErrorResponse.self).message?.contains("not available") == true)

      var seen: [BlueprintRequestStatus] = []
      _ = try await session.http.poll(timeout: .seconds(30)) { () -> BlueprintRequest? in
        let request = try await session.get("/blueprint/api/blueprint-requests/\(id)").decode(BlueprintRequest.self)
        if let status = request.status, seen.last != status { seen.append(status) }
        return request.status == .finished ? request : nil
      }
      #expect(seen.first == .created || seen.first == .started)
      #expect(seen.last == .finished)
      let plan = try await session.get("/blueprint/api/blueprint-requests/\(id)/resources-plan")
        .decode(BlueprintResourcesPlan.self)
      #expect(Set((plan.resources ?? []).compactMap(\.resourceName)) == ["net", "web", "app", "disk"])
      #expect(plan.resources?.allSatisfy { $0.resourceReason == .create } == true)
      #expect(try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content.isEmpty)
    }
  }

  @Test func aWhatIfDoesNotCountAsARequestInProgressAndResetForgetsIt() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deploymentId = try #require(try await UpdateFixture.deploy(session, name: "busy").id)
      let update = try await UpdateFixture.update(session, deploymentId, inputs: ["size": "large"])
      #expect(update.status == 202)
      // A what-if while the update runs is accepted and leaves the last request alone.
      let whatIf = try await UpdateFixture.update(session, deploymentId, inputs: ["size": "small"], plan: true)
      #expect(whatIf.status == 202, "\(whatIf.json)")
      let last = try await session.get("/deployment/api/deployments/\(deploymentId)?expand=lastRequest")
        .decode(Deployment.self).lastRequest
      #expect(last?.id == (try update.decode(BlueprintRequest.self).requestTrackerId))
      _ = try await session.waitForDeployment(deploymentId)
      // And a what-if does not block the next update.
      let planId = try #require(try whatIf.decode(BlueprintRequest.self).id)
      _ = try await UpdateFixture.waitForBlueprintRequest(session, planId)
      #expect(try await UpdateFixture.update(session, deploymentId, inputs: ["size": "small"]).status == 202)

      #expect(try await harness.http.call(.POST, "/_sim/reset", checkFidelity: false).status == 204)
      let fresh = try await SimulatorSession.start(harness)
      #expect(try await fresh.get("/blueprint/api/blueprint-requests/\(planId)").status == 404)
    }
  }
}
