/// Where a secret lives, written as text in a plan, a profile or an input value:
///
/// - `vault:PATH#KEY`: key `KEY` of the KV v2 secret at `PATH` in Vault or OpenBao. The first
///   segment of `PATH` is the mount (`secret/vra` is mount `secret`, secret `vra`); the API form
///   `secret/data/vra` names the same secret.
/// - `env:NAME`: the environment variable `NAME`.
/// - `file:PATH`: the content of the file at `PATH`, without its trailing newline.
///
/// A reference is configuration, not a secret: it prints as written (canonical form), while
/// the value it resolves to is a `Secret` that prints as `<redacted>`.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
  case vault(VaultSecretPath, key: String)
  case environment(name: String)
  case file(path: String)

  /// The schemes a reference starts with, colon included.
  public static let schemes = ["vault:", "env:", "file:"]

  /// Whether `text` is meant as a reference: it starts with `vault:`, `env:` or `file:`.
  /// A malformed reference is still a reference (parse it to learn what is wrong); anything else
  /// is a literal value.
  public static func isReference(_ text: String) -> Bool {
    schemes.contains { text.hasPrefix($0) }
  }

  /// Parses a reference, naming the part that is wrong when it is malformed.
  public init(parsing text: String) throws(SecretReferenceError) {
    if text.hasPrefix("vault:") {
      let body = text.dropFirst("vault:".count)
      guard let hash = body.firstIndex(of: "#") else { throw .vaultKeyMissing(reference: text) }
      let key = String(body[body.index(after: hash)...])
      guard !key.isEmpty else { throw .vaultKeyEmpty(reference: text) }
      guard !key.contains("#") else { throw .vaultKeyInvalid(reference: text, key: key) }
      let path = try VaultSecretPath(parsing: String(body[..<hash]), reference: text)
      self = .vault(path, key: key)
    } else if text.hasPrefix("env:") {
      let name = String(text.dropFirst("env:".count))
      guard !name.isEmpty else { throw .environmentNameEmpty(reference: text) }
      guard Self.isEnvironmentName(name) else { throw .environmentNameInvalid(reference: text, name: name) }
      self = .environment(name: name)
    } else if text.hasPrefix("file:") {
      let path = String(text.dropFirst("file:".count))
      guard !path.isEmpty else { throw .filePathEmpty(reference: text) }
      guard !path.contains("\0") else { throw .filePathInvalid(reference: text) }
      self = .file(path: path)
    } else {
      throw .notAReference(scheme: Self.schemeOf(text))
    }
  }

  /// The reference in its canonical text form (`vault:MOUNT/PATH#KEY`, `env:NAME`, `file:PATH`).
  public var description: String {
    switch self {
    case .vault(let path, let key): "vault:\(path)#\(key)"
    case .environment(let name): "env:\(name)"
    case .file(let path): "file:\(path)"
    }
  }

  /// A POSIX-portable variable name: letters, digits and `_`, not starting with a digit.
  static func isEnvironmentName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
    else { return false }
    return name.unicodeScalars.allSatisfy {
      $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
    }
  }

  /// What precedes the first colon, if that looks like a scheme; never the rest of the text,
  /// which may be a literal secret that was passed where a reference was expected.
  private static func schemeOf(_ text: String) -> String? {
    guard let colon = text.firstIndex(of: ":") else { return nil }
    let scheme = text[..<colon]
    guard !scheme.isEmpty, scheme.count <= 16, scheme.allSatisfy({ $0.isLetter }) else { return nil }
    return String(scheme)
  }
}
