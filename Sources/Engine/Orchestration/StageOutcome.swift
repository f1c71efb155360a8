/// How one stage of a run ended, as the scheduler sees it.
public enum StageOutcome: Sendable, Hashable {
  case succeeded
  /// The stage ran and failed; the message is already redacted.
  case failed(String)
  /// Never started: something it depends on failed, or the run stopped scheduling.
  case skipped(reason: String)
  /// Started and stopped by a cancel (Ctrl-C, `vra-engine cancel`).
  case cancelled
  /// vRA accepted the request and the run did not wait for it to end (`waitForCompletion: false`,
  /// `vra-engine deploy --no-wait`); the stage stays `submitted` in the store.
  case submitted

  public var isSuccess: Bool { self == .succeeded }
}
