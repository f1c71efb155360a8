import Synchronization

/// A clock that moves only when a test says so, for driving token and lease schedules without
/// waiting. Its instants are `ContinuousClock`'s (credentials are scheduled in those), starting at
/// the real `now` of its creation; `sleep(until:)` returns when `advance` reaches the deadline.
public final class ManualContinuousClock: Clock, Sendable {
  public typealias Instant = ContinuousClock.Instant

  private struct Sleeper {
    var deadline: Instant
    var continuation: CheckedContinuation<Void, any Error>
  }

  private struct State {
    var now: Instant
    var nextID: UInt64 = 0
    var sleepers: [UInt64: Sleeper] = [:]
    /// Sleepers cancelled before they were registered.
    var cancelled: Set<UInt64> = []
  }

  private let state: Mutex<State>

  public init(start: Instant = .now) {
    state = Mutex(State(now: start))
  }

  public var now: Instant { state.withLock { $0.now } }
  public var minimumResolution: Duration { .zero }

  /// Tasks suspended in `sleep(until:)` right now.
  public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

  public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
    let id = state.withLock { state in
      state.nextID += 1
      return state.nextID
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let outcome: Result<Void, any Error>? = state.withLock { state in
          if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
          if deadline <= state.now { return .success(()) }
          state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
          return nil
        }
        if let outcome { continuation.resume(with: outcome) }
      }
    } onCancel: {
      let sleeper = state.withLock { state in
        guard let sleeper = state.sleepers.removeValue(forKey: id) else {
          state.cancelled.insert(id)
          return nil as Sleeper?
        }
        return sleeper
      }
      sleeper?.continuation.resume(throwing: CancellationError())
    }
  }

  /// Moves time forward by `duration` and wakes every sleeper whose deadline has come.
  public func advance(by duration: Duration) {
    let woken = state.withLock { state in
      state.now = state.now + duration
      let due = state.sleepers.filter { $0.value.deadline <= state.now }
      for id in due.keys { state.sleepers[id] = nil }
      return due.values.sorted { $0.deadline < $1.deadline }
    }
    for sleeper in woken { sleeper.continuation.resume() }
  }

  /// Moves time forward to `instant` (never back).
  public func advance(to instant: Instant) {
    advance(by: max(.zero, now.duration(to: instant)))
  }
}
