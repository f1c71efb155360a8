/// Why a stage or a delete failed, as the state store keeps it (`error.class`): what logs, spans,
/// the JSON report and the exit status read. The raw values are the names stored since the first
/// schema, so rows written before this type existed read as they are (migration 3 rewrote the
/// only other values ever stored: Swift type names).
///
/// A new case is a new stored value an older build cannot read: add it with a migration, so that
/// build refuses the file (`schemaTooNew`) instead of failing on the row.
public enum FailureClass: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
  // The client's classes (`VRAErrorClass.name`): a call to vRA failed.
  case transport
  case timeout
  case unauthorized
  case forbidden
  case notFound = "not_found"
  case conflict
  case validation
  case rateLimited = "rate_limited"
  case server
  case decoding
  case cancelled

  // The engine's own.
  /// vRA ran the request, and it failed (or the stage could not be submitted as planned).
  case deployment
  /// The stage's `timeout` passed; its request was cancelled in vRA.
  case stageTimeout = "stage_timeout"
  /// Deleting the stage's deployment failed during a rollback.
  case rollback
  /// Deleting the stage's deployment failed during `vra-engine destroy`.
  case destroy
  /// A reference of the stage (an input, its deployment name) could not be resolved when it started.
  case plan
  /// Following the request in vRA failed (the tracker stopped, the request vanished).
  case tracking
  /// The state store failed.
  case state
  /// Anything else the engine threw.
  case engine

  /// The failure is about reaching or logging in to vRA, not about the deployment (exit 3).
  public var isConnectivity: Bool {
    switch self {
    case .transport, .timeout, .unauthorized, .forbidden: true
    default: false
    }
  }

  /// The class of a failed delete, by why it was deleted.
  public init(_ purpose: DeleteRequestRecord.Purpose) {
    switch purpose {
    case .rollback: self = .rollback
    case .destroy: self = .destroy
    }
  }

  /// What a value stored before migration 3 means: those builds stored the Swift type name of an
  /// error they had no class for.
  static func migrating(_ stored: String) -> FailureClass {
    if let known = FailureClass(rawValue: stored) { return known }
    switch stored {
    case "PlanResolutionError": return .plan
    case "TrackerError": return .tracking
    case "StateStoreError": return .state
    default: return .engine
    }
  }

  public var description: String { rawValue }
}
