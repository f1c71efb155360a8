import RunState
import Synchronization

/// Lets a service stop working on a run without cancelling it, when it shuts down: the stages stop
/// where they are and send and write nothing more, vRA's requests go on, the lease is released, and
/// the run stays as the store says (running, its requests recorded) for the next owner to resume
/// exactly — the service after its restart, or another replica at once.
///
/// Fire it from anywhere (`withGracefulShutdownHandler`); the run it was passed to ends by
/// throwing `RunHandedBack`.
public final class RunHandBack: Sendable {
  private struct State {
    var fired = false
    var actions: [@Sendable () -> Void] = []
  }
  private let state = Mutex(State())

  public init() {}

  public var isFired: Bool { state.withLock { $0.fired } }

  /// Hands the run back: every run this was passed to stops as described above.
  public func fire() {
    let actions = state.withLock { state -> [@Sendable () -> Void] in
      guard !state.fired else { return [] }
      state.fired = true
      defer { state.actions = [] }
      return state.actions
    }
    for action in actions { action() }
  }

  /// Runs `action` when fired (at once when it already was).
  func onFire(_ action: @escaping @Sendable () -> Void) {
    let now = state.withLock { state -> Bool in
      if state.fired { return true }
      state.actions.append(action)
      return false
    }
    if now { action() }
  }
}

/// A run handed back (`RunHandBack`): not finished, not cancelled; its lease released for the next owner.
public struct RunHandedBack: Error, Sendable, CustomStringConvertible {
  public let runId: RunID
  public var description: String { "run \(runId) was handed back unfinished; its next owner resumes it" }
}
