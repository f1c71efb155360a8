import Synchronization

/// An interruptible wait: a project loop sleeps until a deadline, and a new watch can
/// bring that deadline closer without waking the loop for nothing.
///
/// No shorten is lost. A waiter sleeps only to the deadline the lock holds when it registers its
/// sleep (`State.register`), and `shorten(to:)` moves the deadline and reads the registered sleep
/// under the same lock: a shorten either comes before the registration (which is then refused, and
/// the waiter reads the new deadline) or after it (and interrupts that sleep). A caller on an actor
/// registers its deadline before it lets go of the actor, so a shorten made on the same actor after
/// it called `wait` is always heard.
final class Doorbell: Sendable {
  /// What the lock guards; its two transitions are the whole agreement between the waiter and `shorten`.
  struct State {
    var deadline: ContinuousClock.Instant?
    /// The sleep in progress, to interrupt when the deadline comes closer.
    var sleeper: Task<Void, Never>?

    /// The waiter hands over the sleep it is about to wait for, which ends at `goal`, the deadline it
    /// read. Refused when the deadline moved since: sleeping to `goal` would lose that shorten.
    mutating func register(_ sleeper: Task<Void, Never>, sleepingUntil goal: ContinuousClock.Instant) -> Bool {
      guard deadline == goal else { return false }
      self.sleeper = sleeper
      return true
    }

    /// Brings the deadline forward; the sleep to interrupt, if one is registered.
    mutating func shorten(to earlier: ContinuousClock.Instant) -> Task<Void, Never>? {
      guard let current = deadline, earlier < current else { return nil }
      deadline = earlier
      return sleeper
    }
  }

  private let state = Mutex(State())

  /// Sleeps until `deadline`, or an earlier one set by `shorten(to:)`, or until the task is cancelled.
  func wait(until deadline: ContinuousClock.Instant, isolation: isolated (any Actor)? = #isolation) async {
    state.withLock { $0 = State(deadline: deadline) }
    defer { state.withLock { $0 = State() } }
    while !Task.isCancelled {
      guard let goal = state.withLock({ $0.deadline }), ContinuousClock.now < goal else { return }
      let sleeper = Task<Void, Never> { _ = try? await Task.sleep(until: goal, clock: .continuous) }
      guard state.withLock({ $0.register(sleeper, sleepingUntil: goal) }) else {
        sleeper.cancel()
        continue
      }
      await withTaskCancellationHandler {
        await sleeper.value
      } onCancel: {
        sleeper.cancel()
      }
    }
  }

  /// Brings the current wait's deadline forward to `deadline` if it is later; no effect when nobody waits.
  func shorten(to deadline: ContinuousClock.Instant) {
    state.withLock { $0.shorten(to: deadline) }?.cancel()
  }
}
