import Foundation

/// What the server says about a token (`GET /v1/auth/token/lookup-self`).
public struct VaultTokenStatus: Sendable, Hashable {
  /// Seconds left; 0 for a token that never expires (a root token).
  public var ttl: Int
  /// The TTL the token was created with, in seconds.
  public var creationTTL: Int
  public var renewable: Bool
  public var policies: [String]
  /// When the token was last renewed; nil when it never was.
  public var lastRenewal: Date?

  public init(ttl: Int, creationTTL: Int, renewable: Bool, policies: [String], lastRenewal: Date? = nil) {
    self.ttl = ttl
    self.creationTTL = creationTTL
    self.renewable = renewable
    self.policies = policies
    self.lastRenewal = lastRenewal
  }
}
