import Foundation

/// A credential with a schedule: when it should be refreshed, and when it may no longer be used.
///
/// Two values are equal when they are the same secret: a lease of one token with another
/// schedule is still the same credential (that is how a rejection is matched to what is held).
public protocol RenewableCredential: Sendable, Equatable {
  associatedtype Instant: InstantProtocol where Instant.Duration == Duration
  /// From this instant on the credential must not be handed out; nil: it never expires.
  var expiresAt: Instant? { get }
  /// From this instant on one refresh runs in the background while holders keep using the
  /// credential; nil: it is never refreshed before it expires.
  var refreshDueAt: Instant? { get }
}

/// The life of one renewable credential (a vRA access token, a Vault token lease) as a value:
/// events in, actions out, the current time passed in with every event. It does no I/O, reads
/// no clock and starts no task; its driver (`TokenCache`, `VaultClient`) does what the actions say.
///
/// ```
///        need                    refresh ok              now ≥ refreshDueAt (a need, or the idle timer)
/// none ───────► refreshing ─────────────────► valid ───────────────────────────────► refreshing
///               callers wait        ▲           │                                   holders keep using
///                                   │           │ now ≥ expiresAt, or refused             the credential
///                                   │           ▼                                          │
///                                   └──── refreshing, callers wait ◄───── it expires ──────┘
/// ```
/// One refresh at a time: a caller that needs a credential while one runs shares its result.
/// A failed refresh fails every waiter; a credential that is still valid stays in use, and the
/// next background refresh waits `retryDelay` (or a share of the remaining lifetime). A waiter
/// that is cancelled leaves alone; the refresh goes on for the others.
public struct CredentialLifecycle<Credential: RenewableCredential>: Sendable {
  public typealias Instant = Credential.Instant

  public struct Configuration: Sendable, Equatable {
    /// Whether a credential past `refreshDueAt` is refreshed in the background; false for a
    /// fixed token, which is used until it expires.
    public var refreshesWhenDue: Bool
    /// Whether the driver keeps a timer, so that a holder nobody asks also refreshes on time
    /// (a Vault lease must be renewed before its TTL runs out even when no secret is read).
    public var renewsWhileIdle: Bool
    /// After a failed background refresh, the next one waits at least this long...
    public var retryDelay: Duration
    /// ...or this share of the credential's remaining lifetime when that is longer (never past expiry).
    public var retryShareOfRemainingLifetime: Double

    public init(
      refreshesWhenDue: Bool = true, renewsWhileIdle: Bool = false, retryDelay: Duration,
      retryShareOfRemainingLifetime: Double = 0
    ) {
      self.refreshesWhenDue = refreshesWhenDue
      self.renewsWhileIdle = renewsWhileIdle
      self.retryDelay = retryDelay
      self.retryShareOfRemainingLifetime = retryShareOfRemainingLifetime
    }
  }

  /// One caller, named by the driver (which keeps its continuation under this name).
  public struct WaiterID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "waiter \(rawValue)" }
  }

  private enum State: Sendable {
    /// No refresh in flight; `current` is handed out while it is valid.
    case idle(current: Credential?)
    /// Exactly one refresh in flight; `current` (only ever a valid one) is handed out while it
    /// stays valid, and `waiters` wait for the refresh's result. Waiters exist only here.
    case refreshing(current: Credential?, waiters: [WaiterID])
  }

  public let configuration: Configuration
  private var state = State.idle(current: nil)
  /// Set by a failed refresh that left a valid credential: no background refresh before it.
  private var retryNotBefore: Instant?
  private var renewsWhileIdle: Bool

  public init(configuration: Configuration) {
    self.configuration = configuration
    self.renewsWhileIdle = configuration.renewsWhileIdle
  }

  // MARK: - What it holds (for drivers' diagnostics and tests)

  /// The credential held, valid or not; nil before the first one and after one was refused.
  public var current: Credential? {
    switch state {
    case .idle(let current), .refreshing(let current, _): current
    }
  }

  public var isRefreshing: Bool {
    if case .refreshing = state { return true }
    return false
  }

  /// The callers waiting for the refresh in flight, in arrival order.
  public var waiters: [WaiterID] {
    if case .refreshing(_, let waiters) = state { return waiters }
    return []
  }

  /// No background refresh starts before this instant (after a failed one).
  public var backgroundRetryNotBefore: Instant? { retryNotBefore }

  // MARK: - Events

  /// A caller needs a credential now.
  public mutating func credentialNeeded(by waiter: WaiterID, now: Instant) -> RequestAction {
    switch state {
    case .idle(.some(let current)):
      if isExpired(current, at: now) {
        state = .refreshing(current: nil, waiters: [waiter])
        return .wait(startRefresh: .renewExpired(current))
      }
      if isBackgroundRefreshDue(current, at: now) {
        state = .refreshing(current: current, waiters: [])
        return .useAndStartRefresh(current, .renewDue(current))
      }
      return .use(current)
    case .idle(.none):
      state = .refreshing(current: nil, waiters: [waiter])
      return .wait(startRefresh: .acquire)
    case .refreshing(.some(let current), _) where !isExpired(current, at: now):
      return .use(current)
    case .refreshing(_, var waiters):
      waiters.append(waiter)
      state = .refreshing(current: nil, waiters: waiters)
      return .wait(startRefresh: nil)
    }
  }

  /// The server refused `rejected` (vRA's 401; a Vault 403 the token's own lookup confirms).
  /// A caller that held an older credential than the current valid one gets the current one;
  /// otherwise the credential is dropped and the caller waits for one shared refresh.
  public mutating func credentialRejected(_ rejected: Credential, by waiter: WaiterID, now: Instant) -> RequestAction {
    switch state {
    case .idle(.some(let current)) where current != rejected && !isExpired(current, at: now):
      return .use(current)
    case .idle(let current):
      state = .refreshing(current: nil, waiters: [waiter])
      if let current, current != rejected {
        return .wait(startRefresh: .renewExpired(current))
      }
      return .wait(startRefresh: .replaceRejected(rejected))
    case .refreshing(.some(let current), _) where current != rejected && !isExpired(current, at: now):
      return .use(current)
    case .refreshing(_, var waiters):
      waiters.append(waiter)
      state = .refreshing(current: nil, waiters: waiters)
      return .wait(startRefresh: nil)
    }
  }

  /// The refresh in flight brought `credential`. Every waiter gets it (as it is: a credential
  /// that arrives already expired, like a fixed token past its `exp`, is delivered so that the
  /// server's refusal names the cause).
  public mutating func refreshSucceeded(with credential: Credential, now: Instant) -> CompletionAction {
    guard case .refreshing(_, let waiters) = state else {
      preconditionFailure("a refresh completed while none was in flight")
    }
    state = .idle(current: credential)
    retryNotBefore = nil
    return .resumeWaiters(waiters, with: credential, timer: timerAction(after: credential))
  }

  /// The refresh in flight failed. Every waiter fails; a credential that is still valid stays in
  /// use, and the next background refresh waits.
  public mutating func refreshFailed(now: Instant) -> CompletionAction {
    guard case .refreshing(let current, let waiters) = state else {
      preconditionFailure("a refresh failed while none was in flight")
    }
    guard let current, !isExpired(current, at: now) else {
      state = .idle(current: nil)
      retryNotBefore = nil
      return .failWaiters(waiters, kept: nil, timer: renewsWhileIdle ? .cancel : .none)
    }
    state = .idle(current: current)
    let retry = retryInstant(for: current, now: now)
    retryNotBefore = retry
    return .failWaiters(waiters, kept: current, timer: timerAction(after: current))
  }

  /// `waiter`'s task was cancelled: it stops waiting; the refresh goes on for the others.
  public mutating func waiterCancelled(_ waiter: WaiterID) -> CancelAction {
    guard case .refreshing(let current, var waiters) = state, let index = waiters.firstIndex(of: waiter) else {
      return .none  // already resumed, or never waited
    }
    waiters.remove(at: index)
    state = .refreshing(current: current, waiters: waiters)
    return .failWithCancellation
  }

  /// The idle renewal timer went off (only with `renewsWhileIdle`).
  public mutating func renewalTimerFired(now: Instant) -> TimerFiredAction {
    guard renewsWhileIdle, case .idle(.some(let current)) = state else {
      return .none  // a refresh is in flight (its end schedules the timer), or nothing is held
    }
    if isExpired(current, at: now) {
      state = .refreshing(current: nil, waiters: [])
      return .startRefresh(.renewExpired(current))
    }
    if isBackgroundRefreshDue(current, at: now) {
      state = .refreshing(current: current, waiters: [])
      return .startRefresh(.renewDue(current))
    }
    // Early or stale: the timer the state asks for.
    if case .schedule(let at) = timerAction(after: current) { return .schedule(at: at) }
    return .none
  }

  /// No more idle renewals (the driver is shutting down); holders still refresh when they ask.
  public mutating func stopRenewingWhileIdle() -> TimerAction {
    guard renewsWhileIdle else { return .none }
    renewsWhileIdle = false
    return .cancel
  }

  // MARK: - Schedule

  private func isExpired(_ credential: Credential, at now: Instant) -> Bool {
    credential.expiresAt.map { now >= $0 } ?? false
  }

  private func isBackgroundRefreshDue(_ credential: Credential, at now: Instant) -> Bool {
    guard configuration.refreshesWhenDue, let due = credential.refreshDueAt, now >= due else { return false }
    return retryNotBefore.map { now >= $0 } ?? true
  }

  /// When the background refresh of `credential` is due, the retry delay included.
  private func nextBackgroundRefresh(of credential: Credential) -> Instant? {
    guard configuration.refreshesWhenDue, let due = credential.refreshDueAt else { return nil }
    return retryNotBefore.map { max($0, due) } ?? due
  }

  private func timerAction(after credential: Credential) -> TimerAction {
    guard renewsWhileIdle else { return .none }
    return nextBackgroundRefresh(of: credential).map { .schedule(at: $0) } ?? .cancel
  }

  private func retryInstant(for credential: Credential, now: Instant) -> Instant {
    guard let expiresAt = credential.expiresAt else { return now.advanced(by: configuration.retryDelay) }
    let share = now.duration(to: expiresAt) * configuration.retryShareOfRemainingLifetime
    return min(now.advanced(by: max(configuration.retryDelay, share)), expiresAt)
  }
}
