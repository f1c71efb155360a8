import Foundation

/// An approval a request waits for: created when the request matches a policy, decided through
/// `/_sim/approvals/{id}/approve|reject`, dropped when its request is cancelled first.
struct ApprovalRecord: Codable, Sendable {
  var id: String
  var orgId: String
  var policy: String
  var requestId: String
  var deploymentId: String
  var deploymentName: String
  var projectId: String
  var actionId: String
  var requestedBy: String
  var createdAt: Date
  var status: SimulatorApproval.Status
  var decidedBy: String?
  var decidedAt: Date?
  var reason: String?

  var rendered: SimulatorApproval {
    SimulatorApproval(
      id: id, requestId: requestId, deploymentId: deploymentId, deploymentName: deploymentName,
      projectId: projectId, actionId: actionId, requestedBy: requestedBy, createdAt: createdAt, status: status,
      decidedBy: decidedBy, reason: reason)
  }
}
