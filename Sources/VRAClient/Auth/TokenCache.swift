import Foundation

/// The access token of one endpoint + org + principal, refreshed single-flight.
///
/// States: no token → (refresh) → valid → (80 % of lifetime) refresh due: callers keep
/// the current token while exactly one background refresh runs → valid again. Only when
/// the token is expired, or vRA refused it, do callers wait, and then all of them wait
/// for the same refresh. The refresh runs in its own task, so a caller that is cancelled
/// stops waiting at once without cancelling the refresh the others need.
actor TokenCache {
  let provider: any TokenProvider
  private var current: AccessToken?
  private var refreshing = false
  private var waiters: [UUID: CheckedContinuation<AccessToken, any Error>] = [:]
  /// After a failed background refresh, the next one waits this long (no refresh storm).
  private var retryBackgroundAfter: ContinuousClock.Instant?
  private(set) var refreshCount = 0

  static let backgroundRetryDelay: Duration = .seconds(1)

  init(provider: any TokenProvider) {
    self.provider = provider
  }

  /// A token to send now: the cached one while it is valid, else a fresh one.
  func token(using endpoint: any TokenEndpoint) async throws -> AccessToken {
    let now = ContinuousClock.now
    if let current, !current.isExpired(at: now) {
      if provider.canRefresh, current.isRefreshDue(at: now), retryBackgroundAfter.map({ now >= $0 }) ?? true {
        startRefresh(using: endpoint)
      }
      return current
    }
    startRefresh(using: endpoint)
    return try await waitForRefresh()
  }

  /// vRA refused `rejected` (401): refresh once for all callers that hold it, then hand
  /// out the new token. Callers that already hold a newer token get that one.
  func replace(rejected: AccessToken, using endpoint: any TokenEndpoint) async throws -> AccessToken {
    if let current, current != rejected, !current.isExpired(at: .now) { return current }
    if current == rejected { current = nil }
    startRefresh(using: endpoint)
    return try await waitForRefresh()
  }

  private func startRefresh(using endpoint: any TokenEndpoint) {
    guard !refreshing else { return }
    refreshing = true
    refreshCount += 1
    let provider = self.provider
    // Unstructured on purpose: the refresh outlives any one (possibly cancelled) caller.
    Task {
      let result: Result<AccessToken, any Error>
      do {
        result = .success(try await provider.fetchToken(via: endpoint))
      } catch {
        result = .failure(error)
      }
      self.complete(result)
    }
  }

  private func complete(_ result: Result<AccessToken, any Error>) {
    refreshing = false
    switch result {
    case .success(let token):
      current = token
      retryBackgroundAfter = nil
    case .failure:
      retryBackgroundAfter = .now + Self.backgroundRetryDelay
    }
    let waiting = waiters
    waiters = [:]
    for continuation in waiting.values { continuation.resume(with: result) }
  }

  private func waitForRefresh() async throws -> AccessToken {
    let id = UUID()
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        if Task.isCancelled {
          continuation.resume(throwing: CancellationError())
        } else {
          waiters[id] = continuation
        }
      }
    } onCancel: {
      Task { await self.cancelWaiter(id) }
    }
  }

  private func cancelWaiter(_ id: UUID) {
    waiters.removeValue(forKey: id)?.resume(throwing: CancellationError())
  }
}
