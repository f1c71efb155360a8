import Credentials
import VRAModels

/// vRA 8 on-prem: `POST /iaas/api/login {"refreshToken": ...}` → `{"token": ...}`.
///
/// The answer has no `expires_in`; the lifetime comes from the JWT's `exp`.
struct RefreshTokenProvider: TokenProvider {
  static let path = "/iaas/api/login"
  let refreshToken: Secret

  var principal: String { "refresh-token:\(refreshToken.fingerprint)" }
  var canRefresh: Bool { true }

  func fetchToken(via endpoint: any TokenEndpoint, clock: CredentialClock) async throws -> AccessToken {
    let answer = try await endpoint.postJSON(
      Self.path, query: [], body: CspLoginSpecification(refreshToken: refreshToken.exposed), as: AuthResponse.self,
      base: nil)
    return AccessToken(value: Secret(answer.token), expiresIn: nil, receivedAt: clock.now)
  }
}
