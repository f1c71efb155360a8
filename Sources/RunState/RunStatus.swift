/// Where a run stands, as the state store records it. `RunLifecycle` lists the events that move
/// it; `canTransition(to:)` is derived from that table, so the two cannot disagree.
///
/// ```
/// pending ──► running ──► succeeded ──────────────┐
///    │        │ ▲ │ ──► failed ────┐ (resume)      │
///    │        │ │ └──► submitted ──┤ (--no-wait)   ├──► destroying ──► destroyed
///    │        │ └──────────────────┘               │        │ ▲
///    │        ├──► cancelling ──► cancelled ───────┘        ▼ │
///    └────────┴────────────────► cancelled        destroy-failed
/// ```
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
  /// Recorded; nothing sent yet.
  case pending
  /// A process (the lease owner) is working on it.
  case running
  /// Every stage was accepted by vRA and nobody waits for them (`deploy --no-wait`); `runs watch`
  /// or `apply --resume` follows them to their end.
  case submitted
  case succeeded
  case failed
  /// A cancel was asked for (`vra-engine cancel`, Ctrl-C); in-flight requests are being cancelled.
  case cancelling
  case cancelled
  /// `vra-engine destroy` is deleting what the run created.
  case destroying
  /// Everything the run created was deleted; the run can only be pruned.
  case destroyed
  /// A deletion failed; `destroy` again retries it.
  case destroyFailed = "destroy-failed"

  public var description: String { rawValue }

  /// True when no process works on the run and vRA holds nothing of it in flight: `finishedAt` is
  /// set on entering such a status.
  public var isTerminal: Bool {
    switch self {
    case .succeeded, .failed, .cancelled, .destroyed, .destroyFailed: true
    case .pending, .running, .submitted, .cancelling, .destroying: false
    }
  }

  /// True while a process must be working on it (its lease owner).
  public var isActive: Bool { [.running, .cancelling, .destroying].contains(self) }

  /// The transitions the store accepts: exactly those `RunLifecycle` has an event for.
  public func canTransition(to next: RunStatus) -> Bool {
    RunLifecycle.runTransitions.contains { $0.from.contains(self) && $0.to == next }
  }
}
