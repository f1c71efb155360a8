import Foundation
import Synchronization

/// Removes secrets from any text before it reaches a log line or an error message.
///
/// Two nets: the exact values the client knows are secret (its credentials and every
/// access token it obtained), and shapes that are secret whatever their value (a bearer
/// header, a JWT, JSON fields and form fields named like credentials). Either alone
/// misses something: vRA may echo a password it was never told is one, and a token's
/// value does not always look like a JWT.
final class Redactor: Sendable {
  static let mask = "<redacted>"
  /// Field names whose values are always hidden (compared case-insensitively).
  static let sensitiveFields: Set<String> = ["authorization", "privatekey", "private_key", "credential", "credentials"]
  /// Any field name containing one of these is hidden too (`adminPassword`, `refresh_token`, `apiKey`).
  static let sensitiveFragments = ["password", "passwd", "secret", "token", "apikey", "api_key"]

  static func isSensitive(_ field: String, extra: Set<String>) -> Bool {
    let name = field.lowercased()
    return sensitiveFields.contains(name) || extra.contains(name) || sensitiveFragments.contains { name.contains($0) }
  }
  /// Tokens kept to scrub by value; older ones have expired long ago.
  private static let rememberedValues = 256

  private let secrets = Mutex<[String]>([])
  private let extraFields: Set<String>

  init(extraSensitiveFields: Set<String> = []) {
    self.extraFields = Set(extraSensitiveFields.map { $0.lowercased() })
  }

  /// Adds a value to scrub wherever it appears. Very short values are ignored: hiding
  /// every "a" would ruin logs without protecting anything.
  func register(_ secret: Secret) {
    guard secret.exposed.count >= 6 else { return }
    secrets.withLock { values in
      guard !values.contains(secret.exposed) else { return }
      values.append(secret.exposed)
      if values.count > Self.rememberedValues { values.removeFirst(values.count - Self.rememberedValues) }
    }
  }

  func redact(_ text: String) -> String {
    var result = text
    for value in secrets.withLock({ $0 }) where result.contains(value) {
      result = result.replacingOccurrences(of: value, with: Self.mask)
    }
    result = Self.redactShapes(result, extra: extraFields)
    return result
  }

  private static func redactShapes(_ text: String, extra: Set<String>) -> String {
    var result = text
    // `Bearer <anything>` and JWTs (three base64url parts, header starting `eyJ`).
    result = result.replacing(/(?i)bearer\s+[A-Za-z0-9._~+\/=-]+/) { _ in "Bearer \(mask)" }
    result = result.replacing(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/) { _ in mask }
    // JSON `"field": "value"` and form `field=value` for sensitive field names.
    result = result.replacing(/"([A-Za-z0-9_.\-]+)"\s*:\s*"((?:[^"\\]|\\.)*)"/) { match in
      isSensitive(String(match.output.1), extra: extra) ? "\"\(match.output.1)\":\"\(mask)\"" : String(match.output.0)
    }
    result = result.replacing(/(^|[&?\s])([A-Za-z0-9_.\-]+)=([^&\s]*)/) { match in
      isSensitive(String(match.output.2), extra: extra)
        ? "\(match.output.1)\(match.output.2)=\(mask)" : String(match.output.0)
    }
    return result
  }
}
