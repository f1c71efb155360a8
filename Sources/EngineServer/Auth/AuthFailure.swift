/// Why a request was not authenticated: a metric label (`reason`), a log field and the problem
/// document's `detail`. None of them ever carries the presented token, nor anything read from an
/// unverified token: what a client sent is not repeated back, nor written to logs.
public enum AuthFailure: Error, Sendable, Hashable, CustomStringConvertible {
  /// No `Authorization` header.
  case missingCredentials
  /// An `Authorization` header that is not `Bearer <token>`.
  case malformedHeader
  /// An API token no tenant lists.
  case unknownToken
  /// Three dot-separated segments that do not decode as a JWT.
  case malformedJWT
  /// No tenant trusts the JWT's issuer.
  case unknownIssuer
  /// The issuer's keys have no key with the JWT's `kid` (even after fetching them again).
  case unknownKey
  /// The issuer's keys could not be read or fetched.
  case keysUnavailable
  case badSignature
  case expired
  case notYetValid
  /// The JWT has no `exp` or no `sub`: the server never accepts a token that does not expire.
  case missingClaim(String)
  case wrongIssuer
  case wrongAudience
  /// The tenant claim (`tenant` by default) does not name the tenant.
  case claimMismatch
  /// The JWT proves more than one tenant (two tenants trust one issuer with different claims).
  case ambiguousTenant

  /// A short, stable label for metrics (`vra_engine_serve_auth_failures_total{reason=...}`) and logs.
  public var reason: String {
    switch self {
    case .missingCredentials: "missing_credentials"
    case .malformedHeader: "malformed_header"
    case .unknownToken: "unknown_token"
    case .malformedJWT: "malformed_jwt"
    case .unknownIssuer: "unknown_issuer"
    case .unknownKey: "unknown_key"
    case .keysUnavailable: "keys_unavailable"
    case .badSignature: "bad_signature"
    case .expired: "expired"
    case .notYetValid: "not_yet_valid"
    case .missingClaim: "missing_claim"
    case .wrongIssuer: "wrong_issuer"
    case .wrongAudience: "wrong_audience"
    case .claimMismatch: "claim_mismatch"
    case .ambiguousTenant: "ambiguous_tenant"
    }
  }

  /// For the client (the problem's `detail`) and the log line.
  public var message: String {
    switch self {
    case .missingCredentials: "no credentials: send Authorization: Bearer <API token or JWT>"
    case .malformedHeader: "the Authorization header is not 'Bearer <token>'"
    case .unknownToken: "the API token is not known"
    case .malformedJWT: "the token looks like a JWT but cannot be decoded"
    case .unknownIssuer: "no tenant accepts tokens from the JWT's issuer"
    case .unknownKey: "the JWT is signed with a key its issuer does not publish"
    case .keysUnavailable: "the issuer's signing keys are not available right now"
    case .badSignature: "the JWT's signature does not verify"
    case .expired: "the JWT has expired"
    case .notYetValid: "the JWT is not valid yet (nbf)"
    case .missingClaim(let claim): "the JWT has no '\(claim)' claim"
    case .wrongIssuer: "the JWT's issuer is not the tenant's"
    case .wrongAudience: "the JWT is not meant for this server (aud)"
    case .claimMismatch: "the JWT does not name a tenant that accepts it"
    case .ambiguousTenant: "the JWT would prove more than one tenant"
    }
  }

  public var description: String { message }
}
