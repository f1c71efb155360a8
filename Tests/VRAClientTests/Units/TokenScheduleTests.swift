import Credentials
import Foundation
import Testing

@testable import VRAClient

@Suite("Access token schedule")
struct TokenScheduleTests {
  static func jwt(exp: Double, iat: Double?) -> String {
    func encode(_ object: [String: Any]) -> String {
      let data = try! JSONSerialization.data(withJSONObject: object)
      return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
    var claims: [String: Any] = ["exp": exp, "sub": "someone"]
    if let iat { claims["iat"] = iat }
    return "\(encode(["alg": "HS256"])).\(encode(claims)).c2lnbmF0dXJl"
  }

  @Test("JWT exp/iat are read without verification")
  func claims() {
    let claims = JWTClaims(token: Self.jwt(exp: 2000, iat: 200))
    #expect(claims?.expiresAt == Date(timeIntervalSince1970: 2000))
    #expect(claims?.issuedAt == Date(timeIntervalSince1970: 200))
    #expect(JWTClaims(token: "opaque-token") == nil)
  }

  @Test("refresh is due at 80 % of the lifetime, anchored to local receipt (skew-proof)")
  func schedule() {
    let received = ContinuousClock.now
    // The token was issued an hour "ago" by a skewed server clock: its lifetime still counts.
    let skewedNow = Date(timeIntervalSince1970: 10_000)
    let token = AccessToken(
      value: Secret(Self.jwt(exp: 10_000 - 3600 + 1800, iat: 10_000 - 3600)), expiresIn: nil, receivedAt: received,
      wallClock: skewedNow)
    #expect(token.refreshAt == received + .seconds(1440))
    #expect(token.expiresAt == received + .seconds(1800))
    #expect(!token.isRefreshDue(at: received + .seconds(1439)))
    #expect(token.isRefreshDue(at: received + .seconds(1440)))
    #expect(token.isExpired(at: received + .seconds(1800)))
  }

  @Test("expires_in is used when the token is not a JWT")
  func expiresIn() {
    let received = ContinuousClock.now
    let token = AccessToken(value: "opaque-access-token", expiresIn: 100, receivedAt: received)
    #expect(token.refreshAt == received + .seconds(80))
    #expect(token.expiresAt == received + .seconds(100))
  }
}
