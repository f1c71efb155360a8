import Foundation
import Synchronization

/// Remembers vRA's clock as its answers report it (`Date` header).
///
/// A tracker uses the server's time, not this machine's, as the watermark for
/// `lastUpdatedAt` filters: local clock skew would otherwise lose or repeat updates.
final class ServerClock: Sendable {
  private struct Reading {
    var serverTime: Date
    /// Server time minus local time when the answer arrived.
    var offset: TimeInterval
  }

  private let latest = Mutex<Reading?>(nil)

  func record(serverDate: Date?, receivedAt local: Date = Date()) {
    guard let serverDate else { return }
    latest.withLock { reading in
      // Answers can arrive out of order; the watermark must never go back.
      if let current = reading, current.serverTime > serverDate { return }
      reading = Reading(serverTime: serverDate, offset: serverDate.timeIntervalSince(local))
    }
  }

  /// The `Date` of the most recent answer (second precision, as HTTP dates are).
  var lastServerTime: Date? { latest.withLock { $0?.serverTime } }

  /// Server time minus local time, as last measured.
  var offset: TimeInterval? { latest.withLock { $0?.offset } }
}
