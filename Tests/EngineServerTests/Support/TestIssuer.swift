import Foundation
import JWTKit
import VRAModels

/// An OIDC issuer for tests: ES256 keys generated here, a JWKS document of their public halves,
/// and real JWTs signed with them.
struct TestIssuer: Sendable {
  let issuer: String
  private let signers: JWTKeyCollection
  private let publicKeys: [String: ES256PublicKey]

  /// One key per id in `keyIDs`.
  static func make(issuer: String = "https://ci.example/", keyIDs: [String] = ["key-1"]) async -> TestIssuer {
    let signers = JWTKeyCollection()
    var publicKeys: [String: ES256PublicKey] = [:]
    for id in keyIDs {
      let key = ES256PrivateKey()
      await signers.add(ecdsa: key, kid: JWKIdentifier(string: id))
      publicKeys[id] = key.publicKey
    }
    return TestIssuer(issuer: issuer, signers: signers, publicKeys: publicKeys)
  }

  /// `{"keys": [...]}` with the public keys named (all by default).
  func jwks(_ keyIDs: [String]? = nil) -> String {
    let keys = (keyIDs ?? publicKeys.keys.sorted()).compactMap { id -> JSONValue? in
      guard let parameters = publicKeys[id]?.parameters else { return nil }
      return .object([
        "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": .string(id),
        "x": .string(parameters.x), "y": .string(parameters.y),
      ])
    }
    let data = try! JSONEncoder().encode(JSONValue.object(["keys": .array(keys)]))
    return String(decoding: data, as: UTF8.self)
  }

  /// A JWT signed with key `keyID`. Claims default to a valid token of tenant `team-a` for
  /// audience `vra-engine`; `overrides` replace them (`.null` removes one).
  func token(
    keyID: String = "key-1", subject: String = "repo:corp/app:ref:main", tenant: String = "team-a",
    audience: JSONValue = "vra-engine", expiresIn: TimeInterval = 600, now: Date = Date(),
    overrides: [String: JSONValue] = [:]
  ) async throws -> String {
    var claims: [String: JSONValue] = [
      "iss": .string(issuer), "sub": .string(subject), "aud": audience, "tenant": .string(tenant),
      "iat": .int(Int(now.timeIntervalSince1970)), "exp": .int(Int(now.timeIntervalSince1970 + expiresIn)),
    ]
    for (name, value) in overrides {
      claims[name] = value == .null ? nil : value
    }
    return try await signers.sign(Claims(values: claims), kid: JWKIdentifier(string: keyID))
  }

  private struct Claims: JWTPayload {
    var values: [String: JSONValue]

    init(values: [String: JSONValue]) { self.values = values }
    init(from decoder: any Decoder) throws {
      values = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }
    func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      try container.encode(values)
    }
    func verify(using algorithm: some JWTAlgorithm) async throws {}
  }
}
