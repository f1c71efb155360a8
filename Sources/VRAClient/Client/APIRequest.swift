import Foundation
import NIOHTTP1

/// One logical vRA call, before auth, retries and `apiVersion` are applied.
struct APIRequest: Sendable {
  var method: HTTPMethod
  /// Concrete path, without query: `/deployment/api/deployments/7f1…`.
  var path: String
  /// Path template for metrics and span names: `/deployment/api/deployments/{id}`.
  var route: String
  var query: [(String, String?)] = []
  var body: Data?
  var contentType: String?
  var safety: CallSafety
  var authenticated = true
  /// Another host for this call (the CSP identity service of vRA Cloud).
  var base: URL?

  var family: APIFamily { APIFamily.of(path: path) }

  init(
    _ method: HTTPMethod, _ path: String, route: String? = nil, query: [(String, String?)] = [],
    safety: CallSafety? = nil
  ) {
    self.method = method
    self.path = path
    self.route = route ?? path
    self.query = query
    self.safety = safety ?? (method == .POST ? .creating : .idempotent)
  }

  /// Encodes `body` as JSON with vRA's date format.
  mutating func setJSON<Body: Encodable>(_ body: Body) throws {
    self.body = try VRAJSONCoding.encoder.encode(body)
    self.contentType = "application/json"
  }

  /// The full URL, with `apiVersion` when this family has a pin and the caller set none.
  func url(base endpoint: URL, apiVersion: String?) -> String {
    var items = query
    if let apiVersion, !items.contains(where: { $0.0 == "apiVersion" }) { items.append(("apiVersion", apiVersion)) }
    var text = (base ?? endpoint).absoluteString
    while text.hasSuffix("/") { text.removeLast() }
    text += path
    if !items.isEmpty {
      text +=
        "?"
        + items.map { name, value in
          let key = name.addingPercentEncoding(withAllowedCharacters: Self.keyCharacters) ?? name
          guard let value else { return key }
          return key + "=" + (value.addingPercentEncoding(withAllowedCharacters: Self.valueCharacters) ?? value)
        }.joined(separator: "&")
    }
    return text
  }

  private static let valueCharacters = CharacterSet(
    charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:")
  private static let keyCharacters = valueCharacters.union(CharacterSet(charactersIn: "$"))
}
