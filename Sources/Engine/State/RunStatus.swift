/// Where a run stands, as the state store records it.
///
/// ```
/// pending ──► running ──► succeeded
///    │           │  ▲ ──► failed ──────┐
///    │           │  └──────────────────┤ (resume)
///    │           ├──► cancelling ──► cancelled
///    └───────────┴──────────────────► cancelled ──► running (resume)
/// ```
/// `running → running` is allowed: a resume after a crash finds the run still `running`.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
  case pending
  case running
  case succeeded
  case failed
  case cancelled
  /// `vra-engine cancel` (or a first Ctrl-C) asked the run to stop; in-flight requests are being cancelled.
  case cancelling

  public var description: String { rawValue }

  /// True when nothing runs any more; `finishedAt` is set on entering such a status.
  public var isTerminal: Bool {
    switch self {
    case .succeeded, .failed, .cancelled: true
    case .pending, .running, .cancelling: false
    }
  }

  /// The transitions the store accepts. The table is the documentation: anything else is a bug.
  public func canTransition(to next: RunStatus) -> Bool {
    switch (self, next) {
    case (.pending, .running), (.pending, .cancelled), (.pending, .failed): true
    case (.running, .running), (.running, .succeeded), (.running, .failed), (.running, .cancelling),
      (.running, .cancelled):
      true
    case (.cancelling, .cancelling), (.cancelling, .cancelled), (.cancelling, .failed): true
    // Resume of a run that stopped before finishing (`apply --resume RUN_ID`).
    case (.failed, .running), (.cancelled, .running): true
    default: false
    }
  }
}
