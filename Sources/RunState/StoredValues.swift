import Foundation
import VRAModels

/// How values are laid out in the state database, the same for every SQL backend:
/// timestamps as integer milliseconds since 1970 (UTC), JSON as text with sorted keys.
enum StoredValues {
  static func milliseconds(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
  }

  static func date(milliseconds: Int64) -> Date {
    Date(timeIntervalSince1970: Double(milliseconds) / 1000)
  }

  /// `date` rounded to what the database keeps, so returned records equal records read back.
  static func stored(_ date: Date) -> Date {
    Self.date(milliseconds: milliseconds(date))
  }

  static func encode<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  static func encode<T: Encodable>(_ value: T?) throws -> String? {
    try value.map { try encode($0) }
  }

  static func decode<T: Decodable>(_ type: T.Type, from text: String, table: String) throws -> T {
    do {
      return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    } catch {
      throw StateStoreError.corruptRecord(table: table, detail: "not \(T.self) JSON: \(error)")
    }
  }

  static func decode<T: Decodable>(_ type: T.Type, from text: String?, table: String) throws -> T? {
    try text.map { try decode(T.self, from: $0, table: table) }
  }
}
