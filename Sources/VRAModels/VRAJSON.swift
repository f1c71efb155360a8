import Foundation

/// JSON coding as vRA speaks it: ISO 8601 timestamps with milliseconds
/// (`2019-07-13T23:16:49.310Z`), accepted with or without the fraction.
public enum VRAJSON {
  public static func makeDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
      let text = try decoder.singleValueContainer().decode(String.self)
      guard let date = parseTimestamp(text) else {
        throw DecodingError.dataCorrupted(
          .init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 timestamp: \(text)"))
      }
      return date
    }
    return decoder
  }

  public static func makeEncoder(pretty: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(formatTimestamp(date))
    }
    encoder.outputFormatting =
      pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }

  /// `2019-07-13T23:16:49.310Z`.
  /// Rounds to the nearest millisecond: the formatter truncates, and 49.310 is stored as 49.30999...
  public static func formatTimestamp(_ date: Date) -> String {
    let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
    let seconds = (milliseconds / 1000).rounded(.down)
    let whole = Date(timeIntervalSince1970: seconds)
      .formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    let fraction = Int(milliseconds - seconds * 1000)
    return whole.dropLast() + "." + String(repeating: "0", count: 3 - String(fraction).count) + String(fraction) + "Z"
  }

  public static func parseTimestamp(_ text: String) -> Date? {
    if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
    return try? Date.ISO8601FormatStyle().parse(text)
  }
}
