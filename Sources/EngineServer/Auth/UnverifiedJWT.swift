import Foundation
import VRAModels

/// A JWT's header and claims read without checking anything: only to choose which tenants' issuer
/// to verify it against and which key to use. Nothing read here is trusted, logged or answered.
struct UnverifiedJWT: Sendable {
  var header: [String: JSONValue]
  var claims: [String: JSONValue]

  /// Three base64url segments separated by dots: a JWT, not an API token (whose alphabet has no dot).
  static func isJWTShaped(_ token: String) -> Bool {
    let segments = token.split(separator: ".", omittingEmptySubsequences: false)
    return segments.count == 3 && segments.allSatisfy { !$0.isEmpty && Base64URL.isAlphabet($0) }
  }

  init?(_ token: String) {
    let segments = token.split(separator: ".", omittingEmptySubsequences: false)
    guard segments.count == 3, let header = Self.object(segments[0]), let claims = Self.object(segments[1]) else {
      return nil
    }
    self.header = header
    self.claims = claims
  }

  var issuer: String? { claims["iss"]?.stringValue }
  var keyID: String? { header["kid"]?.stringValue }

  private static func object(_ segment: Substring) -> [String: JSONValue]? {
    guard let data = Base64URL.decode(segment) else { return nil }
    return (try? JSONDecoder().decode(JSONValue.self, from: data))?.objectValue
  }
}
