import Crypto
import Foundation
import VRAModels

/// The digest an environment keeps instead of a secret input's value: enough to tell whether the
/// value changed since the last apply, never the value. Salted with the environment, stage and
/// input, so equal secrets do not show as equal digests across stages or environments.
enum SecretDigest {
  static func of(_ value: JSONValue, environment: String, stage: String, input: String) -> JSONValue {
    var hasher = SHA256()
    hasher.update(data: Data("vra-engine secret input\u{0}\(environment)\u{0}\(stage)\u{0}\(input)\u{0}".utf8))
    hasher.update(data: Data(CanonicalJSON.text(of: value).utf8))
    return .string("sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined())
  }

  /// A template's fingerprint (its text as read).
  static func template(_ text: String) -> String {
    "sha256:" + SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
  }
}

/// JSON text with sorted keys, the same for equal values.
enum CanonicalJSON {
  static func text(of value: JSONValue) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
  }
}
