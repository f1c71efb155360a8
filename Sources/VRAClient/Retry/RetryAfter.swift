import Foundation

/// Reads `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
enum RetryAfter {
  static func parse(_ value: String?, now: Date = Date()) -> Duration? {
    guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
    if let seconds = Int(value) { return .seconds(max(seconds, 0)) }
    if let seconds = Double(value) { return .seconds(max(seconds, 0)) }
    guard let date = HTTPDate.parse(value) else { return nil }
    return .seconds(max(date.timeIntervalSince(now), 0))
  }
}
