import Foundation

/// The two timing claims of a JWT access token, read without verifying the signature.
///
/// The client does not need to trust the token (vRA does that); it only needs to know
/// when to refresh it. A token that is not a JWT yields nil and the caller falls back
/// to `expires_in` or a conservative default.
struct JWTClaims: Sendable, Equatable {
  var expiresAt: Date
  var issuedAt: Date?

  init(expiresAt: Date, issuedAt: Date?) {
    self.expiresAt = expiresAt
    self.issuedAt = issuedAt
  }

  init?(token: String) {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3 else { return nil }
    var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard let data = Data(base64Encoded: base64),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let exp = (object["exp"] as? NSNumber)?.doubleValue
    else { return nil }
    self.expiresAt = Date(timeIntervalSince1970: exp)
    self.issuedAt = (object["iat"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) }
  }
}
