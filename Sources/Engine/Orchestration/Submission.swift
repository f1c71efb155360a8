/// What vRA handed back for one submitted stage: the ids the write-ahead log records right after
/// the POST, and that `--resume` re-attaches to.
public struct Submission: Sendable, Hashable {
  public var deploymentId: String
  /// The deployment request (`/deployment/api/requests/{id}`) when known at submit time.
  public var requestId: String?
  /// Set for template and blueprint stages (`/blueprint/api/blueprint-requests/{id}`): what cancel uses.
  public var blueprintRequestId: String?

  public init(deploymentId: String, requestId: String? = nil, blueprintRequestId: String? = nil) {
    self.deploymentId = deploymentId
    self.requestId = requestId
    self.blueprintRequestId = blueprintRequestId
  }
}
