import Foundation

/// Parses the HTTP-date formats of RFC 9110 §5.6.7, used by `Date` and `Retry-After`.
///
/// Written by hand because `DateFormatter` is neither `Sendable` nor cheap, and the
/// preferred IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) is fixed-width enough to read
/// directly; the obsolete RFC 850 and asctime forms are accepted as the RFC asks.
enum HTTPDate {
  private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

  static func parse(_ text: String) -> Date? {
    let parts = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
    // IMF-fixdate: [Sun] [06] [Nov] [1994] [08:49:37] [GMT]; RFC 850: [Sunday] [06] [Nov] [94] [08:49:37] [GMT]
    if parts.count == 6, let day = Int(parts[1]), let month = monthNumber(parts[2]), var year = Int(parts[3]) {
      if year < 100 { year += year < 70 ? 2000 : 1900 }
      return make(year: year, month: month, day: day, time: parts[4])
    }
    // asctime: [Sun] [Nov] [6] [08:49:37] [1994]
    if parts.count == 5, let month = monthNumber(parts[1]), let day = Int(parts[2]), let year = Int(parts[4]) {
      return make(year: year, month: month, day: day, time: parts[3])
    }
    return nil
  }

  private static func monthNumber(_ name: String) -> Int? {
    months.firstIndex(of: name.lowercased()).map { $0 + 1 }
  }

  private static func make(year: Int, month: Int, day: Int, time: String) -> Date? {
    let clock = time.split(separator: ":").compactMap { Int($0) }
    guard clock.count == 3 else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "GMT")!
    let components = DateComponents(
      year: year, month: month, day: day, hour: clock[0], minute: clock[1], second: clock[2])
    return calendar.date(from: components)
  }
}
