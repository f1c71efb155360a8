import Foundation
import VRAModels

/// One HTTP answer from Vault.
///
/// Vault answers errors as `{"errors": ["..."]}`; the client scrubs its credentials out of them
/// before they are kept in an error.
struct VaultResponse: Sendable {
  let status: Int
  let body: Data

  /// The body as JSON, or nil when it is empty or not JSON.
  var json: JSONValue? { body.isEmpty ? nil : try? JSONDecoder().decode(JSONValue.self, from: body) }

  /// The messages of an error answer.
  var errors: [String] { json?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

  /// Whether an error answer says the server is sealed.
  var saysSealed: Bool { errors.contains { $0.localizedCaseInsensitiveContains("sealed") } }
}

extension JSONValue {
  /// A whole number as Vault writes one: a JSON number (its fraction dropped) or a numeric string.
  var vaultInt: Int? {
    switch self {
    case .int(let number): number
    case .double(let number): Int(exactly: number.rounded(.towardZero))
    case .string(let string): Int(string)
    default: nil
    }
  }

  /// The value as a secret's text: a string as it is, anything else as compact JSON (`true`, `5`)
  /// with sorted keys.
  var secretText: String {
    if let stringValue { return stringValue }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
  }
}
