import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Approval policies: a matching request waits in APPROVAL_PENDING (no timer) until approved through
/// `/_sim/approvals` (it then runs as planned) or rejected (APPROVAL_REJECTED with the reason).
@Suite struct ApprovalTests {
  static let development = ApprovalPolicy(name: "dev-changes", projects: ["Development"], actions: [])

  /// The one pending approval of a request, once the request has reached APPROVAL_PENDING.
  static func pendingApproval(_ harness: SimulatorHarness, requestId: String) async throws -> JSONValue {
    try await harness.http.poll {
      let list = try await harness.http.call(.GET, "/_sim/approvals?status=PENDING").json
      return list.arrayValue?.first { $0["requestId"]?.stringValue == requestId }
    }
  }

  @Test func anApprovedCreateRunsToSuccessWithApprovedAt() async throws {
    try await SimulatorHarness.with({
      $0.approvals = [ApprovalPolicy(name: "new-things", projects: ["Development"], actions: ["Deployment.Create"])]
    }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "gated", content: SampleTemplates.single)
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "gated-1")
      let deploymentId = try #require(order.deploymentId)
      let requestId = try #require(order.requestTrackerId)
      let waiting = try await DayTwoFixture.wait(session, requestId, for: .approvalPending)
      #expect(waiting.approvedAt == nil)
      #expect(waiting.cancelable == true)

      // The batched tracker's view: the deployments list, filtered on the last request's status.
      let filter = URLEncoded.python([("lastRequestStatus", "APPROVAL_PENDING"), ("expand", "lastRequest")])
      let listed = try await session.get("/deployment/api/deployments?\(filter)").decode(Page<Deployment>.self)
      #expect(listed.content.map(\.id) == [deploymentId])
      #expect(listed.content.first?.lastRequest?.status == .approvalPending)
      #expect(listed.content.first?.status == .createInProgress)

      let approval = try await Self.pendingApproval(harness, requestId: requestId)
      #expect(approval["deploymentId"]?.stringValue == deploymentId)
      #expect(approval["deploymentName"] == "gated-1")
      #expect(approval["projectId"]?.stringValue == session.projectId)
      #expect(approval["actionId"] == "Deployment.Create")
      #expect(approval["requestedBy"] == "admin@vsphere.local")
      #expect(approval["status"] == "PENDING")
      #expect(approval["createdAt"]?.stringValue.flatMap(VRAJSON.parseTimestamp) != nil)
      #expect(try await DayTwoFixture.request(session, requestId).status == .approvalPending, "still waiting")

      let approvalId = try #require(approval["id"]?.stringValue)
      let approve = try await harness.http.call(
        .POST, "/_sim/approvals/\(approvalId)/approve", json: ["reason": "looks fine"])
      #expect(approve.status == 200, "\(approve.json)")
      #expect(approve.json["status"] == "APPROVED")
      #expect(approve.json["decidedBy"] == "admin@vsphere.local")
      #expect(approve.json["reason"] == "looks fine")
      let twice = try await harness.http.call(.POST, "/_sim/approvals/\(approvalId)/approve")
      #expect(twice.status == 409, "decided once")

      let done = try await DayTwoFixture.wait(session, requestId)
      #expect(done.status == .successful)
      let approvedAt = try #require(done.approvedAt)
      #expect(approvedAt >= waiting.createdAt)
      #expect(try #require(done.completedAt) >= approvedAt)
      let events = try await session.get("/deployment/api/requests/\(requestId)/events").decode(Page<Event>.self)
      let names = events.content.map(\.name)
      #expect(names.starts(with: ["Request initialization", "Checking approval", "Waiting for approval"]), "\(names)")
      #expect(names.contains("Request approved"))
      #expect(try await DayTwoFixture.deployment(session, deploymentId).status == .createSuccessful)
      #expect(await harness.server.approvals(status: .approved).map(\.id) == [approvalId])
    }
  }

  @Test func aRejectedActionEndsApprovalRejectedWithTheReason() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try #require(try await DayTwoFixture.deploy(session, name: "guarded").id)
      let policies: JSONValue = [["name": "power", "projects": [], "actions": ["Deployment.PowerOff"]]]
      let put = try await harness.http.call(.PUT, "/_sim/approval-policies", json: policies)
      #expect(put.status == 200, "\(put.json)")
      #expect(try await harness.http.call(.GET, "/_sim/approval-policies").json == policies)

      let request = try await DayTwoFixture.run(session, id, "Deployment.PowerOff")
      let requestId = try #require(request.id)
      _ = try await DayTwoFixture.wait(session, requestId, for: .approvalPending)
      let busy = try await DayTwoFixture.submit(session, id, "Deployment.EditTags", inputs: ["tags": []])
      #expect(busy.status == 409, "a request waiting for approval keeps the deployment busy")

      let approval = try #require(await harness.server.approvals(status: .pending).first)
      #expect(approval.requestId == requestId)
      #expect(approval.actionId == "Deployment.PowerOff")
      let rejected = try await harness.server.reject(approval.id, reason: "not in a change window")
      #expect(rejected.status == .rejected)
      let ended = try await DayTwoFixture.request(session, requestId)
      #expect(ended.status == .approvalRejected)
      #expect(ended.details == "Rejected by admin@vsphere.local: not in a change window")
      #expect(ended.approvedAt == nil)
      let deployment = try await DayTwoFixture.deployment(session, id)
      #expect(deployment.status == .createSuccessful, "nothing ran: the deployment is as it was")
      #expect(DayTwoFixture.machines(deployment).allSatisfy { $0.properties?["powerState"] == "ON" })
      let listed = try await harness.http.call(.GET, "/_sim/approvals?status=REJECTED").json
      #expect(listed[0]?["reason"] == "not in a change window")
      #expect(listed[0]?["decidedBy"] == "admin@vsphere.local")
      let events = try await session.get("/deployment/api/deployments/\(id)/userEvents").decode(Page<JSONValue>.self)
      #expect(events.content.first?["name"] == "Approval")
      #expect(events.content.first?["status"] == "FAILED")

      // The deployment is free again, and requests the policy does not name run without approval.
      let tags = try await DayTwoFixture.run(session, id, "Deployment.EditTags", inputs: ["tags": []])
      let tagged = try await DayTwoFixture.wait(session, try #require(tags.id))
      #expect(tagged.status == .successful)
      let names = try await session.get("/deployment/api/requests/\(try #require(tags.id))/events")
        .decode(Page<Event>.self).content.map(\.name)
      #expect(names.contains("Checking approval"), "with policies in force every request is checked: \(names)")
      #expect(!names.contains("Waiting for approval"))
    }
  }

  @Test func cancellingARequestThatAwaitsApprovalAbortsIt() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let id = try #require(try await DayTwoFixture.deploy(session, name: "withdrawn").id)
      try await harness.server.setApprovalPolicies([Self.development])
      let request = try await DayTwoFixture.run(
        session, id, "Deployment.ChangeLease",
        inputs: [
          "Lease Expiration Date": .string(VRAJSON.formatTimestamp(Date().addingTimeInterval(86_400)))
        ])
      let requestId = try #require(request.id)
      _ = try await DayTwoFixture.wait(session, requestId, for: .approvalPending)
      let approvalId = try #require(await harness.server.approvals().first?.id)
      #expect(try await session.post("/deployment/api/requests/\(requestId)?action=cancel", [:]).status == 200)
      let ended = try await DayTwoFixture.request(session, requestId)
      #expect(ended.status == .aborted)
      let deployment = try await DayTwoFixture.deployment(session, id)
      #expect(deployment.status == .createSuccessful)
      #expect(deployment.leaseExpireAt == nil)
      #expect(await harness.server.approvals().isEmpty, "nobody needs to decide a cancelled request")
      await #expect(throws: (any Error).self) { try await harness.server.approve(approvalId) }
    }
  }

  @Test func anUpdateSentAsABlueprintRequestNeedsDeploymentUpdateApproval() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let deployment = try await UpdateFixture.deploy(session, name: "reviewed")
      let id = try #require(deployment.id)
      try await harness.server.setApprovalPolicies([
        ApprovalPolicy(name: "updates", projects: [session.projectId], actions: ["Deployment.Update"])
      ])
      let answer = try await UpdateFixture.update(session, id, inputs: ["size": "large"])
      #expect(answer.status == 202, "\(answer.json)")
      let requestId = try #require(try answer.decode(BlueprintRequest.self).requestTrackerId)
      _ = try await DayTwoFixture.wait(session, requestId, for: .approvalPending)
      let approval = try #require(await harness.server.approvals().first)
      #expect(approval.actionId == "Deployment.Update")
      #expect(approval.deploymentName == "reviewed")
      try await harness.server.approve(approval.id)
      let done = try await DayTwoFixture.wait(session, requestId)
      #expect(done.status == .successful)
      #expect(done.approvedAt != nil)
      let updated = try await DayTwoFixture.deployment(session, id)
      #expect(updated.resource("web")?.properties?["flavor"] == "large")
    }
  }

  @Test func policiesAreCheckedOnTheWayIn() async throws {
    try await SimulatorHarness.with { harness in
      #expect(try await harness.http.call(.GET, "/_sim/approval-policies").json == [])
      let nameless = try await harness.http.call(.PUT, "/_sim/approval-policies", json: [["name": ""]])
      #expect(nameless.status == 400)
      let bad = try await harness.http.call(.GET, "/_sim/approvals?status=MAYBE")
      #expect(bad.status == 400)
      let unknown = try await harness.http.call(.POST, "/_sim/approvals/nope/reject", json: ["reason": "x"])
      #expect(unknown.status == 404)
    }
  }

  @Test func approvalsSurviveARestart() async throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    let configure: @Sendable (inout SimulatorConfiguration) -> Void = { $0.stateFile = file }
    let requestId = try await SimulatorHarness.with(configure) { harness in
      let session = try await SimulatorSession.start(harness)
      try await harness.server.setApprovalPolicies([Self.development])
      let blueprintId = try await session.createBlueprint(name: "kept", content: SampleTemplates.single)
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "kept-1")
      let requestId = try #require(order.requestTrackerId)
      _ = try await DayTwoFixture.wait(session, requestId, for: .approvalPending)
      return requestId
    }
    try await SimulatorHarness.with(configure) { harness in
      let session = try await SimulatorSession.start(harness)
      #expect(await harness.server.approvalPolicies() == [Self.development], "runtime policies are kept")
      let approval = try #require(await harness.server.approvals(status: .pending).first)
      #expect(approval.requestId == requestId)
      #expect(try await DayTwoFixture.request(session, requestId).status == .approvalPending)
      try await harness.server.approve(approval.id, reason: "after the restart")
      #expect(try await DayTwoFixture.wait(session, requestId).status == .successful)
    }
  }
}
