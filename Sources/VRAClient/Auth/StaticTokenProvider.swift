import Credentials

/// A fixed access token: used as is, never refreshed.
struct StaticTokenProvider: TokenProvider {
  let token: Secret
  var principal: String { "access-token:\(token.fingerprint)" }
  var canRefresh: Bool { false }

  func fetchToken(via endpoint: any TokenEndpoint, clock: CredentialClock) async throws -> AccessToken {
    // Scheduled from its JWT `exp` when it has one, so the logs can say it expired.
    AccessToken(value: token, expiresIn: nil, receivedAt: clock.now, expires: JWTClaims(token: token.exposed) != nil)
  }
}
