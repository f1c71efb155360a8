import Foundation
import JWTKit
import VRAModels

/// Issues and checks tokens the way vRA 8 does: signed JWT access tokens with an
/// expiry, opaque refresh tokens that live longer and can be revoked.
actor TokenService {
  struct RefreshTokenRecord: Codable, Sendable {
    var user: String
    var orgId: String
    var domain: String
    var expiresAt: Date
    var revoked: Bool
  }

  struct Snapshot: Codable, Sendable {
    var signingSecret: String
    var refreshTokens: [String: RefreshTokenRecord]
    var revokedAccessTokens: Set<String>
  }

  enum Failure: Error {
    case missing, malformed, expired, revoked, wrongKind
    var message: String {
      switch self {
      case .missing: "Authorization header with a Bearer token is required"
      case .malformed: "The access token is malformed or its signature is invalid"
      case .expired: "The access token has expired"
      case .revoked: "The access token has been revoked"
      case .wrongKind: "The token is not an access token"
      }
    }
  }

  private var keys = JWTKeyCollection()
  private var signingSecret: String
  private var refreshTokens: [String: RefreshTokenRecord] = [:]
  private var revokedAccessTokens: Set<String> = []
  private var settings: TokenSettings
  private var keysReady = false

  init(settings: TokenSettings, snapshot: Snapshot? = nil) {
    self.settings = settings
    self.signingSecret = snapshot?.signingSecret ?? Self.randomToken(bytes: 32)
    self.refreshTokens = snapshot?.refreshTokens ?? [:]
    self.revokedAccessTokens = snapshot?.revokedAccessTokens ?? []
  }

  func snapshot() -> Snapshot {
    Snapshot(signingSecret: signingSecret, refreshTokens: refreshTokens, revokedAccessTokens: revokedAccessTokens)
  }

  func update(settings: TokenSettings) { self.settings = settings }
  var currentSettings: TokenSettings { settings }

  /// Forgets every token: a new signing secret makes access tokens issued before the reset invalid too.
  func reset() {
    refreshTokens = [:]
    revokedAccessTokens = []
    signingSecret = Self.randomToken(bytes: 32)
    keys = JWTKeyCollection()
    keysReady = false
  }

  private func prepareKeys() async {
    guard !keysReady else { return }
    await keys.add(hmac: HMACKey(from: signingSecret), digestAlgorithm: .sha256)
    keysReady = true
  }

  /// A new access token for `user` in `orgId`, valid for the configured lifetime.
  func issueAccessToken(user: String, domain: String, orgId: String, kind: String = "access") async throws -> String {
    await prepareKeys()
    // JWT NumericDate is whole seconds (clients that decode `exp` as an integer must not choke); `exp` is
    // rounded up so a token never lives shorter than the configured lifetime.
    let real = Date().timeIntervalSince1970
    let claims = AccessTokenClaims(
      sub: .init(value: "\(domain):\(user)"), acct: user, domain: domain, contextName: orgId,
      exp: .init(value: Date(timeIntervalSince1970: (real + settings.accessTokenLifetime).rounded(.up))),
      iat: .init(value: Date(timeIntervalSince1970: real.rounded(.down))),
      jti: .init(value: UUID().uuidString.lowercased()), iss: .init(value: "vra-simulator"), tokenKind: kind)
    return try await keys.sign(claims)
  }

  func issueRefreshToken(user: String, domain: String, orgId: String) -> String {
    let token = Self.randomToken(bytes: 24)
    refreshTokens[token] = RefreshTokenRecord(
      user: user, orgId: orgId, domain: domain,
      expiresAt: Date().addingTimeInterval(settings.refreshTokenLifetime), revoked: false)
    return token
  }

  /// The owner of a live refresh token, or the reason it cannot be used.
  func redeem(refreshToken: String) -> Result<RefreshTokenRecord, Failure> {
    guard let record = refreshTokens[refreshToken] else { return .failure(.malformed) }
    if record.revoked { return .failure(.revoked) }
    if record.expiresAt <= Date() { return .failure(.expired) }
    return .success(record)
  }

  /// Checks a bearer token and tells who it belongs to.
  func verify(accessToken: String) async -> Result<CallerIdentity, Failure> {
    await prepareKeys()
    do {
      let claims = try await keys.verify(accessToken, as: AccessTokenClaims.self)
      guard claims.tokenKind == "access" else { return .failure(.wrongKind) }
      if revokedAccessTokens.contains(claims.jti.value) { return .failure(.revoked) }
      return .success(CallerIdentity(user: claims.acct, orgId: claims.contextName))
    } catch let error as JWTError where error.errorType == .claimVerificationFailure {
      return .failure(.expired)
    } catch {
      return .failure(.malformed)
    }
  }

  /// Revokes a refresh token (and so every future refresh through it).
  func revoke(refreshToken: String) -> Bool {
    guard refreshTokens[refreshToken] != nil else { return false }
    refreshTokens[refreshToken]?.revoked = true
    return true
  }

  /// Revokes one access token by its `jti`, or every refresh token of a user.
  func revokeAll(user: String) -> Int {
    var count = 0
    for (token, record) in refreshTokens where record.user == user && !record.revoked {
      refreshTokens[token]?.revoked = true
      count += 1
    }
    return count
  }

  func revoke(accessToken: String) async -> Bool {
    await prepareKeys()
    guard let claims = try? await keys.unverified(accessToken, as: AccessTokenClaims.self) else { return false }
    revokedAccessTokens.insert(claims.jti.value)
    return true
  }

  static func randomToken(bytes: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
  }
}
