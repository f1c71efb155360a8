import Foundation
import VRAModels

/// Approval policies and decisions. A request matching a policy goes CREATED → INITIALIZATION →
/// CHECKING_APPROVAL → APPROVAL_PENDING and stops there (no timer: it waits for a person) until
/// `decide` approves it (it carries on as planned from then) or rejects it (APPROVAL_REJECTED).
extension SimulatorState {
  /// Schedules a new request after asking the approval policies about it: with any policy in force
  /// it passes CHECKING_APPROVAL; when one matches, the rest of its timeline waits for a decision and
  /// an approval is filed. `restore` is what a rejection puts back on the deployment (nil for a create).
  @discardableResult
  func submit(
    _ request: RequestRecord, policyAction: String, deployment: DeploymentRecord, restore: DeploymentRestore?
  ) -> RequestRecord {
    var request = request
    if !approvalPolicies.isEmpty {
      let projectName = projects[deployment.projectId]?.name
      let policy = approvalPolicies.first {
        $0.covers(actionId: policyAction, projectId: deployment.projectId, projectName: projectName)
      }
      let gated = ApprovalGate.gate(request.steps, pending: policy != nil)
      request.steps = gated.steps
      if let policy, let held = gated.held {
        let approval = ApprovalRecord(
          id: StableID.random(), orgId: request.orgId, policy: policy.name, requestId: request.id,
          deploymentId: deployment.id, deploymentName: deployment.name, projectId: deployment.projectId,
          actionId: policyAction, requestedBy: request.requestedBy, createdAt: request.createdAt, status: .pending)
        approvals[approval.id] = approval
        request.approvalId = approval.id
        request.heldSteps = held
        request.restore = restore
      }
    }
    schedule(request)
    return request
  }

  func listApprovals(status: SimulatorApproval.Status?) -> [SimulatorApproval] {
    approvals.values.filter { status == nil || $0.status == status }
      .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(\.rendered)
  }

  /// Replaces the policies in force (requests already submitted keep the decision they got).
  func setApprovalPolicies(_ policies: [ApprovalPolicy]) throws {
    for policy in policies where policy.name.trimmingCharacters(in: .whitespaces).isEmpty {
      throw APIError.badRequest("every approval policy needs a name")
    }
    approvalPolicies = policies
    approvalPoliciesOverridden = true
    markChanged()
  }

  /// Approves or rejects a pending approval: 404 for an unknown one, 409 when it was decided already.
  /// Approving releases the held timeline (INPROGRESS shortly after, then as planned); rejecting ends
  /// the request APPROVAL_REJECTED with the approver and the reason in `details`.
  func decide(_ id: String, approve: Bool, by approver: String?, reason: String?) throws -> SimulatorApproval {
    let now = Date()
    advance(to: now)
    guard var approval = approvals[id] else {
      throw APIError(.notFound, "Approval with id '\(id)' not found", errorCode: 10404, messageId: "error.not.found")
    }
    guard approval.status == .pending, var request = requests[approval.requestId], request.awaitsApproval,
      !request.status.isTerminal
    else {
      throw APIError(
        .conflict, "Approval '\(id)' is \(approval.status.rawValue) already", errorCode: 10409,
        messageId: "approval.already.decided")
    }
    let decidedBy = approver ?? users.first { $0.orgId == approval.orgId }?.principal ?? "admin"
    approval.status = approve ? .approved : .rejected
    approval.decidedBy = decidedBy
    approval.decidedAt = now
    approval.reason = reason
    approvals[id] = approval

    let applied = Array(request.steps[..<request.nextStep])
    // An early decision (before APPROVAL_PENDING was reached) skips that status.
    let remaining = request.steps[request.nextStep...].filter { !$0.isStatus(.approvalPending) }
    let decidedAt = max(now, remaining.last?.at ?? now)
    if approve {
      let held = request.heldSteps ?? []
      let pendingAt = request.steps.first { $0.isStatus(.approvalPending) }?.at ?? decidedAt
      let lead = max(0, (held.first?.at ?? pendingAt).timeIntervalSince(pendingAt))
      request.steps =
        applied + remaining + [ScheduledStep(at: decidedAt, kind: .approved(by: decidedBy, reason: reason))]
        + ApprovalGate.release(held, decidedAt: decidedAt, lead: lead)
    } else {
      request.steps =
        applied + remaining + [ScheduledStep(at: decidedAt, kind: .rejected(by: decidedBy, reason: reason))]
    }
    request.heldSteps = nil
    schedule(request)
    advance(to: now)
    return approval.rendered
  }

  /// What a rejected request's `details` say: `Rejected by admin@vsphere.local: not in a change window`.
  static func rejectionDetails(by approver: String, reason: String?) -> String {
    guard let reason, !reason.isEmpty else { return "Rejected by \(approver)" }
    return "Rejected by \(approver): \(reason)"
  }
}
