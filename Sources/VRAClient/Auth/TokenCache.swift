import Credentials
import Foundation

/// The access token of one endpoint + org + principal: a driver of `CredentialLifecycle`.
///
/// The lifecycle decides (refresh single-flight; at 80 % of the lifetime one background refresh
/// while callers keep the current token; callers wait only for an expired or refused token, all
/// for the same refresh; after a failed background refresh the next waits a second); this actor
/// feeds it events with the clock's time and carries out its actions: it runs each refresh in a
/// task of its own, so a caller that is cancelled stops waiting at once without cancelling the
/// refresh the others need.
actor TokenCache {
  typealias Lifecycle = CredentialLifecycle<AccessToken>

  let provider: any TokenProvider
  private let clock: CredentialClock
  private var lifecycle: Lifecycle
  private var waiters: [Lifecycle.WaiterID: CheckedContinuation<AccessToken, any Error>] = [:]
  private var nextWaiter: UInt64 = 0
  /// Refreshes started (for `VRAClient.tokenRefreshCount` and tests).
  private(set) var refreshCount = 0

  static let backgroundRetryDelay: Duration = .seconds(1)

  init(provider: any TokenProvider, clock: CredentialClock = .continuous) {
    self.provider = provider
    self.clock = clock
    self.lifecycle = Lifecycle(
      configuration: .init(refreshesWhenDue: provider.canRefresh, retryDelay: Self.backgroundRetryDelay))
  }

  /// A token to send now: the cached one while it is valid, else a fresh one.
  func token(using endpoint: any TokenEndpoint) async throws -> AccessToken {
    try await obtain(using: endpoint) { lifecycle, waiter, now in
      lifecycle.credentialNeeded(by: waiter, now: now)
    }
  }

  /// vRA refused `rejected` (401): refresh once for all callers that hold it, then hand
  /// out the new token. Callers that already hold a newer token get that one.
  func replace(rejected: AccessToken, using endpoint: any TokenEndpoint) async throws -> AccessToken {
    try await obtain(using: endpoint) { lifecycle, waiter, now in
      lifecycle.credentialRejected(rejected, by: waiter, now: now)
    }
  }

  /// Whether a refresh is in flight (tests wait for a background refresh to end).
  var isRefreshing: Bool { lifecycle.isRefreshing }
  /// Callers suspended until the refresh in flight ends.
  var waitingCount: Int { waiters.count }

  private func obtain(
    using endpoint: any TokenEndpoint,
    _ event: (inout Lifecycle, Lifecycle.WaiterID, ContinuousClock.Instant) -> Lifecycle.RequestAction
  ) async throws -> AccessToken {
    nextWaiter += 1
    let waiter = Lifecycle.WaiterID(nextWaiter)
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        // The event and the continuation's registration happen in one turn of the actor, so a
        // refresh cannot end in between and miss this waiter.
        guard !Task.isCancelled else { return continuation.resume(throwing: CancellationError()) }
        switch event(&lifecycle, waiter, clock.now) {
        case .use(let token):
          continuation.resume(returning: token)
        case .useAndStartRefresh(let token, _):
          continuation.resume(returning: token)
          startRefresh(using: endpoint)
        case .wait(let refresh):
          waiters[waiter] = continuation
          if refresh != nil { startRefresh(using: endpoint) }
        }
      }
    } onCancel: {
      Task { await self.cancel(waiter) }
    }
  }

  private func startRefresh(using endpoint: any TokenEndpoint) {
    refreshCount += 1
    let provider = self.provider
    let clock = self.clock
    // Unstructured on purpose: the refresh outlives any one (possibly cancelled) caller.
    Task {
      let result: Result<AccessToken, any Error>
      do {
        result = .success(try await provider.fetchToken(via: endpoint, clock: clock))
      } catch {
        result = .failure(error)
      }
      self.complete(result)
    }
  }

  private func complete(_ result: Result<AccessToken, any Error>) {
    let now = clock.now
    let action =
      switch result {
      case .success(let token): lifecycle.refreshSucceeded(with: token, now: now)
      case .failure: lifecycle.refreshFailed(now: now)
      }
    // No timer actions: access tokens are refreshed when used, not while idle.
    switch action {
    case .resumeWaiters(let ids, let token, _):
      for id in ids { waiters.removeValue(forKey: id)?.resume(returning: token) }
    case .failWaiters(let ids, _, _):
      for id in ids { waiters.removeValue(forKey: id)?.resume(with: result) }
    }
  }

  private func cancel(_ waiter: Lifecycle.WaiterID) {
    guard lifecycle.waiterCancelled(waiter) == .failWithCancellation else { return }
    waiters.removeValue(forKey: waiter)?.resume(throwing: CancellationError())
  }
}
