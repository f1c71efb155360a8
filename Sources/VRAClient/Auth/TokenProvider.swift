import Credentials

/// One way of obtaining an access token (see `Authentication`).
protocol TokenProvider: Sendable {
  /// Who the tokens are for, without any secret: part of the token cache key and of logs.
  var principal: String { get }
  /// False for a fixed access token: a 401 then cannot be cured by refreshing.
  var canRefresh: Bool { get }
  /// A new token, scheduled from `clock.now` when its answer arrived.
  func fetchToken(via endpoint: any TokenEndpoint, clock: CredentialClock) async throws -> AccessToken
}

extension Authentication {
  func makeProvider() -> any TokenProvider {
    switch self {
    case .refreshToken(let token): RefreshTokenProvider(refreshToken: token)
    case .apiToken(let token, let identityURL): CSPAPITokenProvider(apiToken: token, identityURL: identityURL)
    case .password(let username, let password, let domain):
      PasswordProvider(username: username, password: password, domain: domain)
    case .accessToken(let token): StaticTokenProvider(token: token)
    case .auto(let token, _): RefreshTokenProvider(refreshToken: token)
    }
  }
}
