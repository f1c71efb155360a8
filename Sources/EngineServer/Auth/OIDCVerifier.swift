import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import VRAClient

/// Verifies one tenant's OIDC JWTs: the signature with the issuer's published keys (JWKS), then
/// `iss` (exact), `aud` (contains), `exp` / `nbf` (with leeway), and that the tenant claim names
/// the tenant. The identity's principal is the token's `sub`.
///
/// Keys come from `jwksFile` (read when the verifier is made: at start and on every reload) or
/// from `jwksURL` (fetched on first use and cached). A token naming a key the cached set lacks
/// makes it fetch the set again (the issuer rotated its keys), at most once per `refetchInterval`,
/// so a flood of tokens with made-up `kid`s cannot turn the server against the issuer.
public actor OIDCVerifier {
  public nonisolated let tenant: String
  public nonisolated let settings: OIDCSettings
  private let httpClient: HTTPClient
  private let refetchInterval: TimeInterval
  private let leeway: TimeInterval
  private let now: @Sendable () -> Date
  private let logger: Logger

  /// The file's bytes (read in `init`) until they are loaded into `keys` on first use.
  private var fileContent: Result<Data, any Error>?
  private var keys: JWKSKeys?
  private var lastFetch: Date?
  private var fetch: Task<Void, Never>?

  /// - Parameters:
  ///   - refetchInterval: the least time between two fetches of `jwksURL`.
  ///   - leeway: how far `exp` and `nbf` may be off (clock skew between the issuer and here).
  ///   - now: the time tokens are judged at (tests pass their own).
  public init(
    tenant: String, settings: OIDCSettings, httpClient: HTTPClient = SharedHTTPClient.instance,
    refetchInterval: TimeInterval = 60, leeway: TimeInterval = 30, now: @escaping @Sendable () -> Date = { Date() },
    logger: Logger = Logger(label: "vra-engine.serve.oidc")
  ) {
    self.tenant = tenant
    self.settings = settings
    self.httpClient = httpClient
    self.refetchInterval = refetchInterval
    self.leeway = leeway
    self.now = now
    self.logger = logger
    if case .file(let path) = settings.keys {
      fileContent = Result { try Data(contentsOf: URL(fileURLWithPath: path)) }
    }
  }

  /// The tenant's identity for `token`, or why not. Never throws: every failure is a reason.
  public func verify(_ token: String) async -> Result<TenantIdentity, AuthFailure> {
    guard let unverified = UnverifiedJWT(token) else { return .failure(.malformedJWT) }
    var available = await currentKeys()
    if available?.has(keyID: unverified.keyID) != true, case .url = settings.keys {
      await refetchIfAllowed()
      available = keys
    }
    guard let available else { return .failure(.keysUnavailable) }
    guard available.has(keyID: unverified.keyID) else { return .failure(.unknownKey) }

    let claims: OIDCClaims
    do {
      claims = try await available.collection.verify(token, as: OIDCClaims.self)
    } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
      return .failure(.badSignature)
    } catch {
      return .failure(.malformedJWT)
    }
    return check(claims)
  }

  /// The registered claims and the tenant claim, once the signature is known to be the issuer's.
  private func check(_ claims: OIDCClaims) -> Result<TenantIdentity, AuthFailure> {
    let now = now().timeIntervalSince1970
    guard let expires = claims.seconds("exp") else { return .failure(.missingClaim("exp")) }
    guard now <= expires + leeway else { return .failure(.expired) }
    if let notBefore = claims.seconds("nbf"), now + leeway < notBefore { return .failure(.notYetValid) }
    guard claims.string("iss") == settings.issuer else { return .failure(.wrongIssuer) }
    guard claims.audiences.contains(settings.audience) else { return .failure(.wrongAudience) }
    guard claims.string(settings.claim) == settings.claimValue else { return .failure(.claimMismatch) }
    guard let subject = claims.string("sub"), !subject.isEmpty else { return .failure(.missingClaim("sub")) }
    return .success(TenantIdentity(tenant: tenant, method: .oidc, principal: subject))
  }

  /// The keys to verify with: the file's, or the URL's (fetched on first use).
  private func currentKeys() async -> JWKSKeys? {
    if let keys { return keys }
    switch settings.keys {
    case .file(let path):
      guard let content = fileContent else { return nil }
      fileContent = nil
      do {
        keys = try await JWKSKeys.load(content.get())
      } catch {
        logger.error(
          "cannot load the tenant's OIDC keys; its JWTs are refused until the next reload",
          metadata: ["tenant": "\(tenant)", "oidc.jwks_file": "\(path)", "error": "\(error)"])
      }
      return keys
    case .url:
      await refetchIfAllowed()
      return keys
    }
  }

  /// Fetches `jwksURL` again unless that was done less than `refetchInterval` ago; callers that
  /// arrive while a fetch runs wait for that one.
  private func refetchIfAllowed() async {
    if let fetch {
      await fetch.value
      return
    }
    let now = now()
    if let lastFetch, now.timeIntervalSince(lastFetch) < refetchInterval { return }
    lastFetch = now
    let task = Task { await self.fetchKeys() }
    fetch = task
    await task.value
    fetch = nil
  }

  private func fetchKeys() async {
    guard case .url(let url) = settings.keys else { return }
    do {
      var request = HTTPClientRequest(url: url.absoluteString)
      request.headers.add(name: "Accept", value: "application/json")
      let response = try await httpClient.execute(request, timeout: .seconds(10))
      let body = try await response.body.collect(upTo: 1 << 20)
      guard response.status == .ok else {
        throw JWKSFetchError(message: "answered \(response.status.code)")
      }
      keys = try await JWKSKeys.load(Data(body.readableBytesView))
      logger.info(
        "fetched the tenant's OIDC keys",
        metadata: [
          "tenant": "\(tenant)", "oidc.jwks_url": "\(url)", "oidc.key_ids": "\(keys?.keyIDs.sorted() ?? [])",
        ])
    } catch {
      logger.warning(
        "cannot fetch the tenant's OIDC keys; the keys fetched before (if any) stay in use",
        metadata: ["tenant": "\(tenant)", "oidc.jwks_url": "\(url)", "error": "\(error)"])
    }
  }
}

/// The JWKS endpoint answered something other than a key set.
struct JWKSFetchError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}
