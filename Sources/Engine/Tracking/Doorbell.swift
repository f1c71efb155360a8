import Synchronization

/// An interruptible wait: a project loop sleeps until a deadline, and a new watch can
/// bring that deadline closer without waking the loop for nothing.
final class Doorbell: Sendable {
  private struct State {
    var deadline: ContinuousClock.Instant?
    var sleeper: Task<Void, Never>?
  }

  private let state = Mutex(State())

  /// Sleeps until `deadline`, or an earlier one set by `shorten(to:)`, or until the task is cancelled.
  func wait(until deadline: ContinuousClock.Instant) async {
    var target = deadline
    state.withLock { $0.deadline = deadline }
    defer { state.withLock { $0 = State() } }
    while ContinuousClock.now < target, !Task.isCancelled {
      let goal = target
      let sleeper = Task<Void, Never> { _ = try? await Task.sleep(until: goal, clock: .continuous) }
      state.withLock { $0.sleeper = sleeper }
      await withTaskCancellationHandler {
        await sleeper.value
      } onCancel: {
        sleeper.cancel()
      }
      target = state.withLock { $0.deadline } ?? target
    }
  }

  /// Brings the current wait's deadline forward to `deadline` if it is later; no effect when nobody waits.
  func shorten(to deadline: ContinuousClock.Instant) {
    let sleeper: Task<Void, Never>? = state.withLock { state in
      guard let current = state.deadline, deadline < current else { return nil }
      state.deadline = deadline
      return state.sleeper
    }
    sleeper?.cancel()
  }
}
