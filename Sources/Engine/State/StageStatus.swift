/// Where one stage of a run stands, as the state store records it.
///
/// The write-ahead path is `pending → submitting → submitted → running → succeeded|failed`:
/// `submitting` is written *before* the creating POST, `submitted` (with the ids) right after.
/// A stage found in `submitting` on resume may or may not exist in vRA: it is reconciled by
/// deployment name, never blindly submitted again.
///
/// | from           | to                                                                  |
/// |----------------|---------------------------------------------------------------------|
/// | pending        | submitting, failed (before any request: project, auth, inputs), skipped, cancelled |
/// | submitting     | submitting (re-intent after reconciliation), submitted, failed, cancelled |
/// | submitted      | running, succeeded, failed, cancelled                               |
/// | running        | running, succeeded, failed, cancelled                               |
/// | succeeded      | rolling-back                                                        |
/// | failed         | submitting (retry), rolling-back, skipped                           |
/// | cancelled      | submitting (resume), rolling-back                                   |
/// | skipped        | pending (resume re-plans it)                                        |
/// | rolling-back   | rolling-back, rolled-back, failed                                   |
/// | rolled-back    | —                                                                   |
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
  case rollingBack = "rolling-back"
  case rolledBack = "rolled-back"

  public var description: String { rawValue }

  /// True when the stage waits on nothing (resume leaves it alone unless asked to retry or roll back).
  public var isTerminal: Bool {
    switch self {
    case .succeeded, .failed, .cancelled, .skipped, .rolledBack: true
    case .pending, .submitting, .submitted, .running, .rollingBack: false
    }
  }

  /// The transitions the store accepts (see the table above).
  public func canTransition(to next: StageStatus) -> Bool {
    switch self {
    case .pending: [.submitting, .failed, .skipped, .cancelled].contains(next)
    case .submitting: [.submitting, .submitted, .failed, .cancelled].contains(next)
    case .submitted: [.running, .succeeded, .failed, .cancelled].contains(next)
    case .running: [.running, .succeeded, .failed, .cancelled].contains(next)
    case .succeeded: next == .rollingBack
    case .failed: [.submitting, .rollingBack, .skipped].contains(next)
    case .cancelled: [.submitting, .rollingBack].contains(next)
    case .skipped: next == .pending
    case .rollingBack: [.rollingBack, .rolledBack, .failed].contains(next)
    case .rolledBack: false
    }
  }
}
