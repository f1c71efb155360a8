import Credentials

/// The token the client holds and when it must be renewed: the state the renewal schedule runs on.
///
/// ```
/// obtained ──(ttl × renewalFraction)──► renewAt ──────► expiresAt
///   valid, used as is   │  renewed in the background;  │  callers wait for a renewal
///                       │  callers keep this token      │  or a new login
/// ```
/// A token with TTL 0 (a root token) never expires and is never renewed; a token that is not
/// renewable is used until it expires.
struct VaultTokenLease: Sendable {
  let token: Secret
  /// Seconds of validity granted by the last login or renewal; 0 means no expiry.
  let ttlSeconds: Int
  let renewable: Bool
  /// The TTL of the first lease of this token: a renewal granting less was capped by the max TTL.
  let creationTTLSeconds: Int
  let obtainedAt: ContinuousClock.Instant
  let renewAt: ContinuousClock.Instant?
  let expiresAt: ContinuousClock.Instant?

  /// `obtainedAt` is when the request that granted the TTL was sent, so the schedule errs early.
  init(
    token: Secret, ttlSeconds: Int, renewable: Bool, creationTTLSeconds: Int? = nil,
    obtainedAt: ContinuousClock.Instant, renewalFraction: Double
  ) {
    self.token = token
    self.ttlSeconds = ttlSeconds
    self.renewable = renewable
    self.creationTTLSeconds = creationTTLSeconds ?? ttlSeconds
    self.obtainedAt = obtainedAt
    if ttlSeconds > 0 {
      let ttl = Duration.seconds(ttlSeconds)
      expiresAt = obtainedAt + ttl
      renewAt = renewable ? obtainedAt + ttl * min(max(renewalFraction, 0.1), 0.95) : nil
    } else {
      expiresAt = nil
      renewAt = nil
    }
  }

  /// Whether a renewal granted less than the token was created with (its max TTL is near).
  var isCapped: Bool { ttlSeconds < creationTTLSeconds }

}

extension VaultTokenLease: RenewableCredential {
  /// Leases are the same credential when they carry the same token (a renewal is the same one).
  static func == (lhs: VaultTokenLease, rhs: VaultTokenLease) -> Bool { lhs.token == rhs.token }

  var refreshDueAt: ContinuousClock.Instant? { renewAt }
}
