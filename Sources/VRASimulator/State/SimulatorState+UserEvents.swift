import Foundation
import VRAModels

/// `GET /deployment/api/deployments/{id}/userEvents`: "Create, Day2, Approval or vRO User
/// Interaction" events. The simulator has one per request of the deployment (its create, updates,
/// actions, delete) and one per approval asked for, newest first.
extension SimulatorState {
  func userEvents(of deploymentId: String, org: String) throws -> [DeploymentUserEvent] {
    let deployment = try self.deployment(deploymentId, org: org)
    var events: [DeploymentUserEvent] = []
    for request in deployment.requestIds.compactMap({ requests[$0] }) {
      let status: DeploymentUserEvent.Status =
        request.status == .successful ? .successful : request.status.isTerminal ? .failed : .pending
      events.append(
        DeploymentUserEvent(
          id: StableID.uuid(from: "user-event:\(request.id)"), name: request.name, requestId: request.id,
          requestedBy: request.requestedBy, resourceIds: request.resourceIds ?? [], status: status,
          createdAt: request.createdAt, updatedAt: request.updatedAt, details: request.details,
          inputs: request.inputs, outputs: request.outputs))
      guard let approval = request.approvalId.flatMap({ approvals[$0] }) else { continue }
      let decision: String? =
        switch approval.status {
        case .pending: "Waiting for approval (policy '\(approval.policy)')"
        case .approved: "Approved by \(approval.decidedBy ?? "")" + (approval.reason.map { ": \($0)" } ?? "")
        case .rejected: Self.rejectionDetails(by: approval.decidedBy ?? "", reason: approval.reason)
        }
      events.append(
        DeploymentUserEvent(
          id: StableID.uuid(from: "user-event:\(approval.id)"), name: "Approval", requestId: request.id,
          requestedBy: request.requestedBy, resourceIds: request.resourceIds ?? [],
          status: approval.status == .pending ? .pending : approval.status == .approved ? .successful : .failed,
          createdAt: approval.createdAt, updatedAt: approval.decidedAt ?? approval.createdAt, details: decision))
    }
    return events.reversed()
  }
}

/// The spec's `UserEvent`.
struct DeploymentUserEvent: Codable, Sendable {
  enum Status: String, Codable, Sendable {
    case successful = "SUCCESSFUL"
    case failed = "FAILED"
    case pending = "PENDING"
  }

  var id: String
  var name: String
  var requestId: String
  var requestedBy: String
  var resourceIds: [String]
  var status: Status
  var createdAt: Date
  var updatedAt: Date
  var details: String?
  var inputs: [String: JSONValue]?
  var outputs: [String: JSONValue]?
}
