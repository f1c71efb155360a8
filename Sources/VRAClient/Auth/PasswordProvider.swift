import Credentials
import VRAModels

/// vRA 8 on-prem with a user's password: CSP login once for a refresh token, then
/// refresh-token exchanges; logs in again only when the refresh token stops working.
actor PasswordProvider: TokenProvider {
  static let loginPath = "/csp/gateway/am/api/login"
  let username: String
  let password: Secret
  let domain: String?
  private var refreshToken: Secret?

  init(username: String, password: Secret, domain: String?) {
    self.username = username
    self.password = password
    self.domain = domain
  }

  nonisolated var principal: String { "user:\(username)@\(domain ?? "")" }
  nonisolated var canRefresh: Bool { true }

  func fetchToken(via endpoint: any TokenEndpoint, clock: CredentialClock) async throws -> AccessToken {
    if let refreshToken {
      do {
        return try await RefreshTokenProvider(refreshToken: refreshToken).fetchToken(via: endpoint, clock: clock)
      } catch let error as VRAError where error.errorClass == .unauthorized {
        self.refreshToken = nil  // expired or revoked: the password can get a new one
      }
    }
    let answer = try await endpoint.postJSON(
      Self.loginPath, query: [("access_token", nil)],
      body: CSPLoginRequest(username: username, password: password.exposed, domain: domain),
      as: CSPTokenResponse.self, base: nil)
    refreshToken = answer.refreshToken.map { Secret($0) }
    return AccessToken(value: Secret(answer.accessToken), expiresIn: answer.expiresIn, receivedAt: clock.now)
  }
}
