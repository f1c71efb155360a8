import Foundation
import Hummingbird

/// The query string (or an `application/x-www-form-urlencoded` body) decoded as Spring decodes it
/// in front of real vRA: keys and values are both percent-decoded and `+` reads as a space, so
/// `%24top=1` is `$top=1` and `$orderby=name+desc` is `name desc`, exactly what Python's `urlencode`,
/// `requests`, `httpx` and Go's `url.Values` send.
///
/// Every route reads its parameters through `Request.query`; Hummingbird's own
/// `uri.queryParameters` decodes values but not keys, so it is not used anywhere else.
struct QueryParameters: Sendable {
  /// Every parameter in the order sent; a key may repeat.
  private(set) var pairs: [(name: String, value: String)] = []

  init(_ encoded: Substring) {
    for part in encoded.split(separator: "&", omittingEmptySubsequences: true) {
      let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = Self.decode(halves[0])
      guard !name.isEmpty else { continue }
      pairs.append((name, halves.count > 1 ? Self.decode(halves[1]) : ""))
    }
  }

  init(_ encoded: String) { self.init(Substring(encoded)) }

  /// `+` is a space, then `%XX` escapes; a malformed escape is kept as sent, as Spring does.
  static func decode(_ text: Substring) -> String {
    let spaced = text.replacingOccurrences(of: "+", with: " ")
    return spaced.removingPercentEncoding ?? spaced
  }

  /// The first value of a parameter.
  func get(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

  /// The first value of the first of several spellings of a parameter (`$orderby`, `$orderBy`).
  func get(anyOf names: String...) -> String? { names.lazy.compactMap { get($0) }.first }

  /// Every value of a parameter, in the order sent.
  func getAll(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

  /// All values of a parameter, split on commas as vRA does for array parameters.
  func list(_ name: String) -> [String] {
    getAll(name).flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
  }

  func int(_ name: String) throws -> Int? {
    guard let text = get(name) else { return nil }
    guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
      throw APIError.badRequest("query parameter '\(name)' must be a non-negative integer, got '\(text)'")
    }
    return value
  }

  func bool(_ name: String) -> Bool? {
    get(name).map { $0.lowercased() == "true" }
  }
}

extension Request {
  /// This request's query parameters, keys and values decoded.
  var query: QueryParameters { QueryParameters(uri.query ?? "") }
}
