import Foundation
import RunState
import Synchronization

/// Why a run's work was stopped from outside the stages.
public enum RunStopReason: Sendable, Hashable {
  /// Ctrl-C, or a cancel request another process left in the store: cancel in vRA and record it.
  case cancelRequested
  /// Another process took the lease over: stop at once, send nothing more, write nothing more.
  case leaseLost
  /// The service is shutting down (`RunHandBack`): stop as for a lost lease, then release the lease.
  case handedBack
}

/// What the owner of a run shares with its stages: whether (and why) the run was told to stop.
final class RunControl: Sendable {
  private struct State {
    var reason: RunStopReason?
    var stop: (@Sendable () -> Void)?
    /// When the lease runs out by this process's clock, unless renewed before (nil: no lease kept).
    var leaseDeadline: ContinuousClock.Instant?
    /// Requests to vRA waiting for news of a lease past its deadline (a renewal, or a stop).
    var leaseWaiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
    var nextWaiter: UInt64 = 0
  }
  private let state = Mutex(State())

  var reason: RunStopReason? { state.withLock { $0.reason } }
  var leaseLost: Bool { reason == .leaseLost }
  /// Stop without acting: the lease went to another process, or the run is being handed back.
  var stopsWithoutActing: Bool { reason == .leaseLost || reason == .handedBack }

  /// Stops the run's work (cancels its task) for `reason`; the first reason wins, except that a
  /// lost lease overrides a cancel (a cancel would write and call vRA, which a stale owner must not).
  func stop(_ reason: RunStopReason) {
    let (stop, waiters) = state.withLock { state -> ((@Sendable () -> Void)?, [CheckedContinuation<Bool, Never>]) in
      if state.reason == nil || reason == .leaseLost { state.reason = reason }
      defer { state.leaseWaiters = [:] }
      return (state.stop, Array(state.leaseWaiters.values))
    }
    for waiter in waiters { waiter.resume(returning: true) }
    stop?()
  }

  /// Requests waiting in `confirmLease` for the renewal's verdict (tests wait on it).
  var leaseWaiterCount: Int { state.withLock { $0.leaseWaiters.count } }

  /// The lease was taken or renewed at `renewal` (before the request went out) for `duration`.
  func leaseKept(since renewal: ContinuousClock.Instant, for duration: Duration) {
    let waiters = state.withLock { state in
      state.leaseDeadline = renewal + duration
      defer { state.leaseWaiters = [:] }
      return Array(state.leaseWaiters.values)
    }
    // Each waiter looks again: renewed, its request goes.
    for waiter in waiters { waiter.resume(returning: true) }
  }

  /// Awaited right before a request that changes something in vRA. While the lease is current by
  /// this process's clock it returns at once. Past it (the process was stalled: SIGSTOP, a long
  /// pause, the database out of reach) nothing is sent until the owner's next renewal says whether
  /// the run is still this process's: renewed, the request goes; taken over, it throws `leaseLost`
  /// and the run stops without acting. (Writes are refused by the store's epoch check too; this
  /// covers the requests between them.)
  func confirmLease(of run: RunID) async throws {
    while true {
      try Task.checkCancellation()
      let waited = await withCheckedContinuation { (waiter: CheckedContinuation<Bool, Never>) in
        let mustWait = state.withLock { state -> Bool in
          guard state.reason == nil, let deadline = state.leaseDeadline, ContinuousClock.now >= deadline else {
            return false
          }
          let id = state.nextWaiter
          state.nextWaiter += 1
          state.leaseWaiters[id] = waiter
          return true
        }
        if !mustWait { waiter.resume(returning: false) }
      }
      if !waited { break }
    }
    if stopsWithoutActing { throw StateStoreError.leaseLost(run: run, owner: nil) }
    try Task.checkCancellation()
  }

  /// Installs what `stop` does; runs it at once when a stop came first.
  func onStop(_ action: @escaping @Sendable () -> Void) {
    let stopped = state.withLock { state -> Bool in
      state.stop = action
      return state.reason != nil
    }
    if stopped { action() }
  }
}

/// Holds a run's lease around the work on it: takes it, renews it and watches the store every
/// `checkInterval` (a cancel request stops the work as Ctrl-C does; a takeover by another process
/// stops it at once), and releases it when the work ends. A lost lease ends in
/// `StateStoreError.leaseLost`, whatever the work returned.
struct RunOwnership {
  let store: any StateStore
  let settings: LeaseSettings

  func hold<T: Sendable>(
    _ runId: RunID, mode: LeaseAcquisition, handBack: RunHandBack? = nil,
    _ work: @escaping @Sendable (RunControl) async throws -> T
  ) async throws -> T {
    let acquiredAt = ContinuousClock.now
    let lease = try await store.acquireLease(run: runId, duration: settings.duration, mode: mode)
    let control = RunControl()
    control.leaseKept(since: acquiredAt, for: settings.duration)
    let task = Task { try await work(control) }
    control.onStop { task.cancel() }
    // A cancel that came before the hand-back wins over it: handed back, the run would lose it
    // (the next owner's lease clears the store's request).
    if Task.isCancelled { control.stop(.cancelRequested) }
    handBack?.onFire { control.stop(.handedBack) }
    let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { group in
      group.addTask { await watch(lease, control: control) }
      let result = await withTaskCancellationHandler {
        await Result(catching: { try await task.value })
      } onCancel: {
        control.stop(.cancelRequested)
      }
      group.cancelAll()
      return result
    }
    if control.leaseLost {
      throw StateStoreError.leaseLost(run: runId, owner: try? await store.run(runId)?.lease?.owner)
    }
    try? await shielded { [store] in try await store.releaseLease(lease) }
    if control.reason == .handedBack { throw RunHandedBack(runId: runId) }
    return try result.get()
  }

  /// Renews the lease well before it expires and looks for cancel requests and takeovers.
  private func watch(_ lease: RunLease, control: RunControl) async {
    var lease = lease
    var renewedAt = ContinuousClock.now
    while !Task.isCancelled {
      do {
        try await Task.sleep(for: settings.checkInterval)
      } catch {
        return
      }
      do {
        if ContinuousClock.now - renewedAt >= settings.duration / 3 {
          let sentAt = ContinuousClock.now
          let renewal = try await store.renewLease(lease, duration: settings.duration)
          lease = renewal.lease
          renewedAt = sentAt
          control.leaseKept(since: sentAt, for: settings.duration)
          if renewal.cancelRequested { control.stop(.cancelRequested) }
        } else if let run = try await store.run(lease.runId) {
          if run.epoch != lease.epoch || run.lease?.owner.id != lease.owner.id {
            control.stop(.leaseLost)
            return
          }
          if run.cancelRequestedAt != nil { control.stop(.cancelRequested) }
        }
      } catch let error as StateStoreError {
        if case .leaseLost = error {
          control.stop(.leaseLost)
          return
        }
      } catch {
        continue
      }
    }
  }
}

extension Result where Failure == any Error {
  init(catching body: () async throws -> Success) async {
    do {
      self = .success(try await body())
    } catch {
      self = .failure(error)
    }
  }
}
