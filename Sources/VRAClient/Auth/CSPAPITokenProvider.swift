import Credentials
import Foundation
import VRAModels

/// vRA Cloud / CSP: `POST /csp/gateway/am/api/auth/api-tokens/authorize` with the form
/// body `refresh_token=<API token>` → `{access_token, expires_in, ...}`.
struct CSPAPITokenProvider: TokenProvider {
  static let path = "/csp/gateway/am/api/auth/api-tokens/authorize"
  let apiToken: Secret
  /// The CSP host when it differs from the vRA endpoint (vRA Cloud).
  let identityURL: URL?

  var principal: String { "api-token:\(apiToken.fingerprint)" }
  var canRefresh: Bool { true }

  func fetchToken(via endpoint: any TokenEndpoint, clock: CredentialClock) async throws -> AccessToken {
    let answer = try await endpoint.postForm(
      Self.path, form: [("refresh_token", apiToken)], as: CSPTokenResponse.self, base: identityURL)
    return AccessToken(value: Secret(answer.accessToken), expiresIn: answer.expiresIn, receivedAt: clock.now)
  }
}
