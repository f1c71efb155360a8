import Foundation

/// One approval as `GET /_sim/approvals` and `SimulatorServer.approvals()` show it (not a vRA shape:
/// vRA's approvals live in its own service; this is the simulator's stand-in for an approver's inbox).
public struct SimulatorApproval: Codable, Sendable, Hashable, Identifiable {
  public enum Status: String, Codable, Sendable, Hashable {
    case pending = "PENDING"
    case approved = "APPROVED"
    case rejected = "REJECTED"
  }

  public var id: String
  public var requestId: String
  public var deploymentId: String
  public var deploymentName: String
  public var projectId: String
  /// `Deployment.Create` for a new deployment, else the request's action id.
  public var actionId: String
  public var requestedBy: String
  public var createdAt: Date
  public var status: Status
  public var decidedBy: String?
  public var reason: String?

  public init(
    id: String, requestId: String, deploymentId: String, deploymentName: String, projectId: String,
    actionId: String, requestedBy: String, createdAt: Date, status: Status, decidedBy: String? = nil,
    reason: String? = nil
  ) {
    self.id = id
    self.requestId = requestId
    self.deploymentId = deploymentId
    self.deploymentName = deploymentName
    self.projectId = projectId
    self.actionId = actionId
    self.requestedBy = requestedBy
    self.createdAt = createdAt
    self.status = status
    self.decidedBy = decidedBy
    self.reason = reason
  }
}
