import Foundation
import VRAModels

/// The lower bound of the next `lastUpdatedAt=[from,]` filter of one project, in server time.
///
/// It only moves forward. It advances to the latest `lastUpdatedAt` among the answers and
/// to the server's `Date` taken *before* the list call was sent (everything stamped earlier
/// was committed before the server read the list), then backs off by `overlap` so an update
/// committed late, or stamped within the same millisecond as the last one seen, is fetched
/// again rather than missed. Duplicates are harmless: the tracker emits only real changes.
struct Watermark: Sendable {
  let overlap: TimeInterval
  /// The latest safe server time seen; nil until the first list.
  private(set) var latest: Date?

  init(overlap: Duration) {
    self.overlap = overlap.seconds
  }

  /// The `from` of the next delta list; nil means list everything.
  var lowerBound: Date? { latest.map { $0.addingTimeInterval(-overlap) } }

  /// Records one list answer: the `lastUpdatedAt` values it held, and the server time known
  /// before the call was sent.
  mutating func advance(seen stamps: some Sequence<Date>, serverTimeBeforeCall: Date?) {
    var candidate = latest
    for stamp in stamps where candidate.map({ stamp > $0 }) ?? true { candidate = stamp }
    if let before = serverTimeBeforeCall, candidate.map({ before > $0 }) ?? true { candidate = before }
    if let candidate, latest.map({ candidate > $0 }) ?? true { latest = candidate }
  }
}

extension Date {
  /// Whole milliseconds since 1970, as vRA timestamps carry them.
  var vraMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
