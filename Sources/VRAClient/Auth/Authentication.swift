import Credentials
import Foundation

/// How the client obtains access tokens.
public enum Authentication: Sendable {
  /// vRA 8 on-prem: a refresh token exchanged at `POST /iaas/api/login`.
  case refreshToken(Secret)
  /// vRA Cloud / CSP: an API token exchanged at `POST /csp/gateway/am/api/auth/api-tokens/authorize`
  /// on `identityURL` (default: the endpoint itself; vRA Cloud uses https://console.cloud.vmware.com).
  case apiToken(Secret, identityURL: URL? = nil)
  /// vRA 8 on-prem: CSP password login, then refresh tokens as `.refreshToken` does.
  case password(username: String, password: Secret, domain: String?)
  /// A fixed access token: never refreshed, so calls fail once it expires.
  case accessToken(Secret)
  /// `.apiToken` when the endpoint is vRA Cloud (`*.cloud.vmware.com`), `.refreshToken` otherwise.
  case auto(token: Secret, identityURL: URL? = nil)

  /// Resolves `.auto` for an endpoint; other cases are returned unchanged.
  func resolved(for endpoint: URL) -> Authentication {
    guard case .auto(let token, let identityURL) = self else { return self }
    let host = endpoint.host?.lowercased() ?? ""
    let isCloud = host.hasSuffix(".cloud.vmware.com") || host.hasSuffix(".vmwareidentity.com")
    if isCloud {
      return .apiToken(token, identityURL: identityURL ?? URL(string: "https://console.cloud.vmware.com"))
    }
    return .refreshToken(token)
  }
}
