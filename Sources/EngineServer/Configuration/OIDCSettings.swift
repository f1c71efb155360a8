import Foundation

/// How a tenant's members prove who they are with a JWT from an OIDC issuer (a CI system's
/// workload identity, a company IdP): whose tokens, for whom, checked with which keys, and which
/// claim says the token is this tenant's.
public struct OIDCSettings: Sendable, Hashable {
  /// Where the issuer's signing keys (a JWKS document) are read from.
  public enum KeySource: Sendable, Hashable {
    /// A file on disk (absolute path), read at start and on every reload.
    case file(String)
    /// The issuer's `jwks_uri`, fetched and cached; fetched again when a token names an unknown key.
    case url(URL)
  }

  /// Compared exactly with the token's `iss`.
  public var issuer: String
  /// The token's `aud` must contain it.
  public var audience: String
  public var keys: KeySource
  /// The claim that names the tenant (default `tenant`)...
  public var claim: String
  /// ...and the value it must have (default: the tenant's name).
  public var claimValue: String

  public static let defaultClaim = "tenant"

  public init(issuer: String, audience: String, keys: KeySource, claim: String = defaultClaim, claimValue: String) {
    self.issuer = issuer
    self.audience = audience
    self.keys = keys
    self.claim = claim
    self.claimValue = claimValue
  }
}
