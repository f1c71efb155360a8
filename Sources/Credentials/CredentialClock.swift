import Foundation

/// The clock of a credential driver (`TokenCache`, `VaultClient`): a `ContinuousClock` in
/// production, a manual clock in tests. Any clock whose instants are `ContinuousClock`'s fits
/// (credentials are scheduled in those instants); this wrapper erases its type.
public struct CredentialClock: Clock {
  public typealias Instant = ContinuousClock.Instant

  private let readNow: @Sendable () -> Instant
  private let sleepUntil: @Sendable (Instant, Duration?) async throws -> Void
  public let minimumResolution: Duration

  public init<C: Clock>(_ clock: C) where C.Instant == ContinuousClock.Instant {
    readNow = { clock.now }
    sleepUntil = { try await clock.sleep(until: $0, tolerance: $1) }
    minimumResolution = clock.minimumResolution
  }

  public static let continuous = CredentialClock(ContinuousClock())

  public var now: Instant { readNow() }

  public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
    try await sleepUntil(deadline, tolerance)
  }
}
