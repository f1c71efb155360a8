import Foundation
import JWTKit

/// One JWKS document loaded into a jwt-kit key collection, with the key ids it holds.
///
/// jwt-kit falls back to its default key for a `kid` it does not know; a token naming a key the
/// issuer does not publish must be refused (or trigger a refetch) instead, so the ids are kept
/// here and the default is kept only when the set has exactly one key (a token without `kid`).
struct JWKSKeys: Sendable {
  let collection: JWTKeyCollection
  let keyIDs: Set<String>

  static func load(_ data: Data) async throws -> JWKSKeys {
    let jwks = try JSONDecoder().decode(JWKS.self, from: data)
    let collection = JWTKeyCollection()
    var keyIDs: Set<String> = []
    for key in jwks.keys {
      guard let id = key.keyIdentifier else { continue }
      try await collection.add(jwk: key)
      keyIDs.insert(id.string)
    }
    guard !keyIDs.isEmpty else { throw JWTError.invalidJWK(reason: "no key with a kid") }
    if keyIDs.count > 1 { await collection.clearDefault() }
    return JWKSKeys(collection: collection, keyIDs: keyIDs)
  }

  /// Whether a token with header `kid` can name a key here.
  func has(keyID: String?) -> Bool {
    guard let keyID else { return keyIDs.count == 1 }
    return keyIDs.contains(keyID)
  }
}
