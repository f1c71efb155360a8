import Foundation

/// Helpers to build vRA query strings.
enum Query {
  /// `name=value` only when there is a value.
  static func optional(_ name: String, _ value: String?) -> [(String, String?)] {
    value.map { [(name, $0)] } ?? []
  }

  /// vRA takes lists as comma-separated values.
  static func list(_ name: String, _ values: [String]) -> [(String, String?)] {
    values.isEmpty ? [] : [(name, values.joined(separator: ","))]
  }

  static func paging(skip: Int, top: Int) -> [(String, String?)] {
    [("$skip", String(skip)), ("$top", String(top))]
  }

  /// Percent-encodes one path segment (ids are UUIDs, but names and versions need not be).
  static func segment(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/?#")))
      ?? value
  }
}
