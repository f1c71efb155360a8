import Crypto
import Foundation

/// Static API tokens: `vre_` and 32 random bytes in base64url. The server stores only
/// `sha256:<hex>` lines (serve.yaml's `tokens:`); a presented token is hashed and compared.
public enum APIToken {
  /// Marks a vra-engine token in a secret scanner, and tells a token pasted into serve.yaml from a hash.
  public static let prefix = "vre_"
  public static let hashPrefix = "sha256:"

  /// A new token from the system's CSPRNG; shown once, never stored.
  public static func generate() -> String {
    let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    return prefix + Base64URL.encode(bytes)
  }

  /// The line serve.yaml lists for `token`: `sha256:` and its SHA-256 in lowercase hex.
  public static func hashLine(of token: String) -> String {
    hashPrefix + hex(digest(of: token))
  }

  static func digest(of token: String) -> [UInt8] {
    Array(SHA256.hash(data: Data(token.utf8)))
  }

  /// The digest a valid hash line names; nil for anything else.
  static func digest(ofHashLine line: String) -> [UInt8]? {
    guard checkHashLine(line) == .valid else { return nil }
    let hexDigits = Array(line.utf8.dropFirst(hashPrefix.utf8.count))
    return stride(from: 0, to: hexDigits.count, by: 2).map { index in
      nibble(hexDigits[index]) << 4 | nibble(hexDigits[index + 1])
    }
  }

  /// What a `tokens:` entry is, so serve.yaml's problems can say why without quoting it.
  enum HashLineCheck: Sendable, Equatable {
    case valid
    /// A token itself (it starts with `vre_`), written where its hash belongs.
    case rawToken
    /// Hex digits in upper case.
    case uppercase
    case malformed
  }

  static func checkHashLine(_ text: String) -> HashLineCheck {
    guard text.hasPrefix(hashPrefix) else { return text.hasPrefix(prefix) ? .rawToken : .malformed }
    let digits = text.utf8.dropFirst(hashPrefix.utf8.count)
    guard digits.count == 64 else { return .malformed }
    if digits.allSatisfy({ isLowerHex($0) }) { return .valid }
    if digits.allSatisfy({ isLowerHex($0) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }) {
      return .uppercase
    }
    return .malformed
  }

  static func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
  }

  private static func isLowerHex(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
  }

  private static func nibble(_ byte: UInt8) -> UInt8 {
    byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : byte - UInt8(ascii: "a") + 10
  }
}
