/// Where one stage of a run stands, as the state store records it. `RunLifecycle` lists the events
/// that move it; `canTransition(to:)` is derived from that table.
///
/// The write-ahead path is `pending → submitting → submitted → running → succeeded|failed`:
/// `submitting` is written *before* the creating POST, `submitted` (with the ids) right after.
/// A stage found in `submitting` on resume may or may not exist in vRA: it is reconciled by
/// deployment name, never blindly submitted again.
public enum StageStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
  case pending
  /// Intent recorded: the creating request is about to be (or is being) sent; no id known yet.
  case submitting
  /// vRA accepted the request; its ids are stored.
  case submitted
  case running
  case succeeded
  case failed
  case cancelled
  /// Not run because a stage it depends on failed or was cancelled.
  case skipped
  /// The run failed and this stage's deployment is being deleted (`rollback: onFailure`).
  case rollingBack = "rolling-back"
  case rolledBack = "rolled-back"
  /// `vra-engine destroy` is deleting this stage's deployment.
  case destroying
  /// `vra-engine destroy` deleted it (or found nothing of it in vRA).
  case destroyed

  public var description: String { rawValue }

  /// True when the stage waits on nothing (resume leaves it alone unless asked to retry or roll back).
  public var isTerminal: Bool {
    switch self {
    case .succeeded, .failed, .cancelled, .skipped, .rolledBack, .destroyed: true
    case .pending, .submitting, .submitted, .running, .rollingBack, .destroying: false
    }
  }

  /// True when vRA may be working on the stage's request right now.
  public var isInFlight: Bool { [.submitting, .submitted, .running].contains(self) }

  /// The transitions the store accepts: exactly those `RunLifecycle` has an event for.
  public func canTransition(to next: StageStatus) -> Bool {
    RunLifecycle.stageTransitions.contains { $0.from.contains(self) && $0.to == next }
  }
}
