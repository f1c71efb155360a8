import Credentials
import Synchronization

/// The process's token caches: one per endpoint + org + principal, shared by every
/// `VRAClient` made for them, so two clients of one user never refresh twice.
final class TokenCacheRegistry: Sendable {
  struct Key: Hashable, Sendable {
    var endpoint: String
    var organization: String
    var principal: String
  }

  static let shared = TokenCacheRegistry()
  private let caches = Mutex<[Key: TokenCache]>([:])

  /// The cache for `key`; made with `provider` and `clock` when there is none yet.
  func cache(
    for key: Key, provider: @autoclosure () -> any TokenProvider, clock: CredentialClock = .continuous
  ) -> TokenCache {
    caches.withLock { caches in
      if let cache = caches[key] { return cache }
      let cache = TokenCache(provider: provider(), clock: clock)
      caches[key] = cache
      return cache
    }
  }
}
