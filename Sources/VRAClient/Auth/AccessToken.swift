import Credentials
import Foundation

/// An access token and its local schedule: when to refresh it proactively and when it
/// must no longer be sent.
///
/// Times are `ContinuousClock` instants anchored at the moment the token arrived, so a
/// wrong wall clock on this machine (skew against vRA) does not make every token look
/// expired or eternal.
struct AccessToken: Sendable, Equatable {
  var value: Secret
  var obtainedAt: ContinuousClock.Instant
  /// From here on, one caller refreshes in the background while everybody keeps using this token.
  var refreshAt: ContinuousClock.Instant
  /// From here on, callers wait for a new token instead of sending this one.
  var expiresAt: ContinuousClock.Instant?

  /// Share of the lifetime after which a refresh starts.
  static let refreshFraction = 0.8
  /// Lifetime assumed when neither the token nor the answer tells (vRA's default is 30 min).
  static let assumedLifetime: Duration = .seconds(25 * 60)
  /// Distance from the clock: if `iat` is this close to local time, the clocks agree and `exp` is exact.
  static let sameClockTolerance: TimeInterval = 5

  static func == (lhs: AccessToken, rhs: AccessToken) -> Bool { lhs.value == rhs.value }

  /// Schedules a token from its JWT claims, else `expires_in`, else the assumed lifetime.
  init(
    value: Secret, expiresIn: Int?, receivedAt: ContinuousClock.Instant = .now, wallClock: Date = Date(),
    expires: Bool = true
  ) {
    self.value = value
    self.obtainedAt = receivedAt
    guard expires else {
      self.refreshAt = receivedAt + .seconds(100 * 365 * 24 * 3600)
      self.expiresAt = nil
      return
    }
    var lifetime: TimeInterval
    if let claims = JWTClaims(token: value.exposed) {
      lifetime = claims.expiresAt.timeIntervalSince(claims.issuedAt ?? wallClock)
      // JWT times are whole seconds; when the clocks agree, `exp` itself is the sharper bound.
      if let iat = claims.issuedAt, abs(iat.timeIntervalSince(wallClock)) < Self.sameClockTolerance {
        lifetime = min(lifetime, claims.expiresAt.timeIntervalSince(wallClock))
      }
    } else if let expiresIn {
      lifetime = TimeInterval(expiresIn)
    } else {
      lifetime = TimeInterval(Self.assumedLifetime.components.seconds)
    }
    lifetime = max(lifetime, 0)
    self.expiresAt = receivedAt + .seconds(lifetime)
    self.refreshAt = receivedAt + .seconds(lifetime * Self.refreshFraction)
  }

  func isExpired(at now: ContinuousClock.Instant) -> Bool { expiresAt.map { now >= $0 } ?? false }
  func isRefreshDue(at now: ContinuousClock.Instant) -> Bool { now >= refreshAt }
}

extension AccessToken: RenewableCredential {
  var refreshDueAt: ContinuousClock.Instant? { refreshAt }
}
