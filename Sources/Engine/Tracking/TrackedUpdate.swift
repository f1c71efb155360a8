import Foundation
import VRAModels

/// What the tracker learned about one watched deployment request.
///
/// Codable (with `VRAJSON`'s encoder and decoder, for vRA's timestamps), so one process can hand
/// what its tracker saw to waiters in another: `serve` replicas publish updates through the state
/// store for the replica that tracks a project on behalf of the others.
public struct TrackedUpdate: Sendable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable {
    /// Status or progress changed; more updates follow.
    case progress
    /// The request reached a terminal status (successful or not); the last update of the stream.
    case terminal
    /// vRA answers 404 for the deployment (deleted, or never in that org); the last update.
    case deploymentNotFound
    /// vRA answers 404 for the request id; the last update.
    case requestNotFound
  }

  public var kind: Kind
  public var deploymentId: String
  public var projectId: String
  public var requestId: String?
  public var status: RequestStatus?
  public var deploymentStatus: DeploymentStatus?
  public var completedTasks: Int
  public var totalTasks: Int
  /// vRA's `details` of the request: the failure message when it failed.
  public var details: String?
  /// The request as vRA last reported it (nil for the not-found kinds).
  public var request: DeploymentRequest?
  /// When this process saw it (local clock).
  public var observedAt: Date

  public var isFinal: Bool { kind != .progress }
  /// The message to show when the request failed, was aborted or rejected.
  public var failureMessage: String? {
    guard let status, status.isFailure else { return nil }
    return details ?? "request \(requestId ?? "?") ended \(status.rawValue)"
  }

  init(
    kind: Kind, deploymentId: String, projectId: String, request: DeploymentRequest?,
    deploymentStatus: DeploymentStatus?, observedAt: Date
  ) {
    self.kind = kind
    self.deploymentId = deploymentId
    self.projectId = projectId
    self.requestId = request?.id
    self.status = request?.status
    self.deploymentStatus = deploymentStatus
    self.completedTasks = request?.completedTasks ?? 0
    self.totalTasks = request?.totalTasks ?? 0
    self.details = request?.details
    self.request = request
    self.observedAt = observedAt
  }
}
