import JWTKit
import VRAModels

/// A JWT's claims as jwt-kit hands them over once the signature verified: all of them, since the
/// tenant claim's name is configured. `OIDCVerifier` checks the registered claims itself (with
/// its leeway and its clock), so `verify(using:)` has nothing left to do.
struct OIDCClaims: JWTPayload {
  var values: [String: JSONValue]

  init(from decoder: any Decoder) throws {
    values = try decoder.singleValueContainer().decode([String: JSONValue].self)
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(values)
  }

  func verify(using algorithm: some JWTAlgorithm) async throws {}

  func string(_ name: String) -> String? { values[name]?.stringValue }

  /// A NumericDate claim (seconds since 1970, possibly fractional).
  func seconds(_ name: String) -> Double? {
    switch values[name] {
    case .int(let value)?: Double(value)
    case .double(let value)?: value
    default: nil
    }
  }

  /// `aud` is one string or a list of strings.
  var audiences: [String] {
    switch values["aud"] {
    case .string(let audience)?: [audience]
    case .array(let list)?: list.compactMap(\.stringValue)
    default: []
    }
  }
}
