import Foundation
import Synchronization
import VRAModels

/// Removes secrets from text and JSON on its way out of the process: the one redactor of a run.
///
/// **Why one, at the boundary.** Checks scattered where values are produced miss the next new path
/// (a new log line, error, report field). Instead every channel where data leaves the process passes
/// through one instance: the CLI's log handler and its stdout/stderr writes, the state store
/// (`RedactingStateStore`), the run's events, the dry run, and this client's own log lines and
/// error messages. Whoever learns a secret registers it here once; every channel then hides it.
///
/// Two nets: the exact values known to be secret (credentials, every access token obtained, the
/// run's resolved secret inputs, the values of `encrypted` inputs), and shapes that are secret
/// whatever their value (a bearer header, a JWT, JSON fields, form fields and JSON object keys
/// named like credentials or registered as sensitive names). Either alone misses something: vRA may
/// echo a password it was never told is one, and a token's value does not always look like a JWT.
public final class Redactor: Sendable {
  /// What every hidden value is replaced with.
  public static let mask = "<redacted>"
  /// Field names whose values are always hidden (compared case-insensitively).
  static let sensitiveFields: Set<String> = ["authorization", "privatekey", "private_key", "credential", "credentials"]
  /// Any field name containing one of these is hidden too (`adminPassword`, `refresh_token`, `apiKey`).
  static let sensitiveFragments = ["password", "passwd", "secret", "token", "apikey", "api_key"]
  /// Values shorter than this are not scrubbed by value: hiding every "a" would ruin logs without
  /// protecting anything (the name-based net still hides them in JSON).
  public static let minimumValueLength = 6
  /// Expiring values (access tokens) kept to scrub by value; older ones have expired long ago.
  private static let rememberedExpiringValues = 256

  static func isSensitive(_ field: String, extra: Set<String>) -> Bool {
    let name = field.lowercased()
    return sensitiveFields.contains(name) || extra.contains(name) || sensitiveFragments.contains { name.contains($0) }
  }

  private struct Known {
    /// Never forgotten: credentials and secret inputs live as long as the run.
    var values: [String] = []
    /// Access tokens, the oldest dropped first.
    var expiring: [String] = []
    var names: Set<String> = []
  }

  private let known = Mutex(Known())

  /// - Parameter sensitiveNames: field and input names whose values are hidden, on top of the built-in ones.
  public init(sensitiveNames: Set<String> = []) {
    known.withLock { $0.names = Set(sensitiveNames.map { $0.lowercased() }) }
  }

  /// Adds a value to scrub wherever it appears, for the life of this redactor.
  public func register(_ secret: Secret) {
    guard secret.exposed.count >= Self.minimumValueLength else { return }
    known.withLock { known in
      for form in Self.writtenForms(of: secret.exposed) where !known.values.contains(form) {
        known.values.append(form)
      }
    }
  }

  /// Adds a short-lived value (an access token): kept among the latest few hundred only.
  package func registerExpiring(_ secret: Secret) {
    guard secret.exposed.count >= Self.minimumValueLength else { return }
    known.withLock { known in
      for form in Self.writtenForms(of: secret.exposed)
      where !known.expiring.contains(form) && !known.values.contains(form) {
        known.expiring.append(form)
      }
      if known.expiring.count > Self.rememberedExpiringValues {
        known.expiring.removeFirst(known.expiring.count - Self.rememberedExpiringValues)
      }
    }
  }

  /// The value as it is, and as it reads inside a JSON string (a logged body writes `a/b"c` as
  /// `a\/b\"c`) or a URL query or form body (`a%2Fb`): each must be hidden.
  static func writtenForms(of value: String) -> [String] {
    let json = JSONStringEscape.escaped(value)
    let formValue = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
    var forms = [value, json, json.replacingOccurrences(of: "/", with: "\\/")]
    if let encoded = value.addingPercentEncoding(withAllowedCharacters: formValue) { forms.append(encoded) }
    var unique: [String] = []
    for form in forms where !unique.contains(form) { unique.append(form) }
    return unique
  }

  /// Adds field or input names whose values are hidden (an `encrypted` input, a secret input).
  public func registerSensitiveNames(_ names: some Sequence<String>) {
    known.withLock { $0.names.formUnion(names.map { $0.lowercased() }) }
  }

  /// Whether values of a field or input called `name` are hidden.
  public func isSensitive(name: String) -> Bool {
    Self.isSensitive(name, extra: known.withLock { $0.names })
  }

  public func redact(_ text: String) -> String {
    let (values, names) = known.withLock { ($0.values + $0.expiring, $0.names) }
    var result = text
    // Longest first: a value containing a shorter one is hidden whole.
    for value in values.sorted(by: { $0.count > $1.count }) where result.contains(value) {
      result = result.replacingOccurrences(of: value, with: Self.mask)
    }
    return Self.redactShapes(result, extra: names)
  }

  /// `value` with every string redacted and the value of every key named like a secret replaced by the mask.
  public func redact(_ value: JSONValue) -> JSONValue {
    let names = known.withLock { $0.names }
    return redact(value, names: names)
  }

  private func redact(_ value: JSONValue, names: Set<String>) -> JSONValue {
    switch value {
    case .string(let text):
      return .string(redact(text))
    case .array(let elements):
      return .array(elements.map { redact($0, names: names) })
    case .object(let object):
      var result: [String: JSONValue] = [:]
      for (key, element) in object {
        result[key] =
          Self.isSensitive(key, extra: names) && element != .null ? .string(Self.mask) : redact(element, names: names)
      }
      return .object(result)
    default:
      return value
    }
  }

  private static func redactShapes(_ text: String, extra: Set<String>) -> String {
    var result = text
    // `Bearer <anything>` and JWTs (three base64url parts, header starting `eyJ`).
    result = result.replacing(/(?i)bearer\s+[A-Za-z0-9._~+\/=-]+/) { _ in "Bearer \(mask)" }
    result = result.replacing(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/) { _ in mask }
    // JSON `"field": "value"` and form `field=value` for sensitive field names.
    result = result.replacing(/"([A-Za-z0-9_.\-]+)"\s*:\s*"((?:[^"\\]|\\.)*)"/) { match in
      isSensitive(String(match.output.1), extra: extra) && match.output.2 != mask
        ? "\"\(match.output.1)\":\"\(mask)\"" : String(match.output.0)
    }
    result = result.replacing(/(^|[&?\s])([A-Za-z0-9_.\-]+)=([^&\s]*)/) { match in
      isSensitive(String(match.output.2), extra: extra)
        ? "\(match.output.1)\(match.output.2)=\(mask)" : String(match.output.0)
    }
    return result
  }
}
