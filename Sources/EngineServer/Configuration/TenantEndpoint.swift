import Credentials
import Foundation

/// The vRA a tenant deploys to, with the credentials the server uses for it.
///
/// `password` and `refreshToken` are kept as written (a secret reference such as
/// `vault:secret/team-a#vra`, `env:NAME`, `file:PATH`, or the literal value) and resolved by the
/// run executor with the process's `SecretResolver`; they are `Secret`s, so printing or logging an
/// endpoint never shows them (`exposed` gives the text).
public struct TenantEndpoint: Sendable, Hashable {
  public var url: URL
  public var username: String?
  public var password: Secret?
  public var domain: String?
  public var refreshToken: Secret?
  public var org: String?
  /// Absolute path of a PEM CA bundle to trust for this vRA instead of the system's.
  public var caFile: String?
  public var insecureSkipVerify: Bool

  public init(
    url: URL, username: String? = nil, password: Secret? = nil, domain: String? = nil, refreshToken: Secret? = nil,
    org: String? = nil, caFile: String? = nil, insecureSkipVerify: Bool = false
  ) {
    self.url = url
    self.username = username
    self.password = password
    self.domain = domain
    self.refreshToken = refreshToken
    self.org = org
    self.caFile = caFile
    self.insecureSkipVerify = insecureSkipVerify
  }
}
