import Foundation

/// A delete request (`DELETE /deployment/api/deployments/{id}`) sent for a stage's deployment,
/// by a rollback or by `vra-engine destroy`.
public struct DeleteRequestRecord: Sendable, Hashable, Codable {
  /// Why the deployment is being deleted.
  public enum Purpose: String, Sendable, Hashable, Codable, CaseIterable {
    case rollback
    case destroy
  }

  public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
    /// vRA accepted the delete; tracking it.
    case requested
    case succeeded
    case failed
  }

  public var runId: RunID
  public var stage: String
  public var deleteRequestId: String
  public var purpose: Purpose
  public var deploymentId: String?
  public var status: Status
  public var error: RecordedError?
  public var requestedAt: Date
  public var updatedAt: Date

  public init(
    runId: RunID, stage: String, deleteRequestId: String, purpose: Purpose, deploymentId: String?, status: Status,
    error: RecordedError?, requestedAt: Date, updatedAt: Date
  ) {
    self.runId = runId
    self.stage = stage
    self.deleteRequestId = deleteRequestId
    self.purpose = purpose
    self.deploymentId = deploymentId
    self.status = status
    self.error = error
    self.requestedAt = requestedAt
    self.updatedAt = updatedAt
  }
}
