import Foundation
import JWTKit

/// The claims of the simulator's access tokens, modelled on vRA 8's CSP JWTs:
/// `context_name` carries the org id, `sub`/`acct` the user, `exp` the expiry.
struct AccessTokenClaims: JWTPayload {
  var sub: SubjectClaim
  var acct: String
  var domain: String
  var contextName: String
  var exp: ExpirationClaim
  var iat: IssuedAtClaim
  var jti: IDClaim
  var iss: IssuerClaim
  /// `access` or `id`; only access tokens open the API.
  var tokenKind: String

  enum CodingKeys: String, CodingKey {
    case sub, acct, domain, exp, iat, jti, iss
    case contextName = "context_name"
    case tokenKind = "token_kind"
  }

  func verify(using algorithm: some JWTAlgorithm) async throws {
    try exp.verifyNotExpired()
  }
}
