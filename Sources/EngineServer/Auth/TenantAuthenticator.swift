import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import VRAClient

/// Tells which tenant a request's `Authorization: Bearer <token>` proves.
///
/// A JWT-shaped token (three base64url segments) is verified by the OIDC verifiers of the tenants
/// whose issuer is the token's (unverified) `iss`; anything else is an API token, matched by its
/// SHA-256 against every configured hash. The token index and the verifiers follow the
/// `TenantDirectory`: they are rebuilt when its configuration is replaced (a `jwksFile` is read
/// again then; a `jwksURL` verifier whose settings did not change keeps its cached keys).
public final class TenantAuthenticator: Sendable {
  private struct Derived: Sendable {
    var generation: Int
    var tokens: APITokenIndex
    /// By tenant name.
    var verifiers: [String: OIDCVerifier]
  }

  private let directory: TenantDirectory
  private let makeVerifier: @Sendable (String, OIDCSettings) -> OIDCVerifier
  private let derived = Mutex<Derived?>(nil)

  /// - Parameters:
  ///   - oidcRefetchInterval: the least time between two fetches of a tenant's `jwksURL`.
  ///   - now: the time JWTs are judged at.
  public init(
    directory: TenantDirectory, httpClient: HTTPClient = SharedHTTPClient.instance,
    oidcRefetchInterval: TimeInterval = 60, now: @escaping @Sendable () -> Date = { Date() },
    logger: Logger = Logger(label: "vra-engine.serve.auth")
  ) {
    self.directory = directory
    self.makeVerifier = { tenant, settings in
      OIDCVerifier(
        tenant: tenant, settings: settings, httpClient: httpClient, refetchInterval: oidcRefetchInterval, now: now,
        logger: logger)
    }
  }

  /// The identity an `Authorization` header value proves, or why it proves none. The failure never
  /// contains the token.
  public func authenticate(authorization: String?) async -> Result<TenantIdentity, AuthFailure> {
    guard let authorization else { return .failure(.missingCredentials) }
    guard let token = Self.bearerToken(authorization) else { return .failure(.malformedHeader) }
    let current = currentDerived()
    guard UnverifiedJWT.isJWTShaped(token) else {
      guard let identity = current.tokens.identity(for: token) else { return .failure(.unknownToken) }
      return .success(identity)
    }
    guard let jwt = UnverifiedJWT(token), let issuer = jwt.issuer else { return .failure(.malformedJWT) }
    let candidates = current.verifiers.values.filter { $0.settings.issuer == issuer }.sorted { $0.tenant < $1.tenant }
    guard !candidates.isEmpty else { return .failure(.unknownIssuer) }
    var identities: [TenantIdentity] = []
    var failures: [AuthFailure] = []
    for verifier in candidates {
      switch await verifier.verify(token) {
      case .success(let identity): identities.append(identity)
      case .failure(let failure): failures.append(failure)
      }
    }
    if identities.count == 1 { return .success(identities[0]) }
    if identities.count > 1 { return .failure(.ambiguousTenant) }
    // Several tenants sharing an issuer: the tenant claim tells which one was meant, so a
    // mismatch elsewhere is no news; another failure (expired, bad signature) says what is wrong.
    return .failure(failures.first { $0 != .claimMismatch } ?? .claimMismatch)
  }

  /// `Bearer <token>` (the scheme in any case, RFC 9110); nil for anything else.
  static func bearerToken(_ header: String) -> String? {
    let parts = header.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
    return String(parts[1])
  }

  /// The token index and verifiers for the directory's current configuration.
  private func currentDerived() -> Derived {
    let (configuration, generation) = directory.snapshot()
    return derived.withLock { derived in
      if let existing = derived, existing.generation == generation { return existing }
      var verifiers: [String: OIDCVerifier] = [:]
      for tenant in configuration.tenants {
        guard let settings = tenant.oidc else { continue }
        if let previous = derived?.verifiers[tenant.name], previous.settings == settings,
          case .url = settings.keys
        {
          verifiers[tenant.name] = previous
        } else {
          verifiers[tenant.name] = makeVerifier(tenant.name, settings)
        }
      }
      let next = Derived(
        generation: generation, tokens: APITokenIndex(tenants: configuration.tenants), verifiers: verifiers)
      derived = next
      return next
    }
  }
}
