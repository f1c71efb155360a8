/// Why a text is not a usable secret reference, naming the part that is wrong.
///
/// Messages quote the reference (configuration, not a secret) but never the text that follows
/// an unknown scheme: that may be a literal secret passed where a reference was expected.
public enum SecretReferenceError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The text starts with none of `vault:`, `env:`, `file:`; `scheme` is what precedes its colon.
  case notAReference(scheme: String?)
  case vaultKeyMissing(reference: String)
  case vaultKeyEmpty(reference: String)
  case vaultKeyInvalid(reference: String, key: String)
  case vaultPathEmpty(reference: String)
  case vaultPathInvalidCharacter(reference: String, character: String)
  case vaultPathEmptySegment(reference: String)
  case vaultPathDotSegment(reference: String)
  case vaultPathMountOnly(reference: String, mount: String)
  case environmentNameEmpty(reference: String)
  case environmentNameInvalid(reference: String, name: String)
  case filePathEmpty(reference: String)
  case filePathInvalid(reference: String)

  /// A stable machine code.
  public var code: String {
    switch self {
    case .notAReference: "secret_reference.unknown_scheme"
    case .vaultKeyMissing: "secret_reference.vault_key_missing"
    case .vaultKeyEmpty: "secret_reference.vault_key_empty"
    case .vaultKeyInvalid: "secret_reference.vault_key_invalid"
    case .vaultPathEmpty: "secret_reference.vault_path_empty"
    case .vaultPathInvalidCharacter: "secret_reference.vault_path_invalid_character"
    case .vaultPathEmptySegment: "secret_reference.vault_path_empty_segment"
    case .vaultPathDotSegment: "secret_reference.vault_path_dot_segment"
    case .vaultPathMountOnly: "secret_reference.vault_path_mount_only"
    case .environmentNameEmpty: "secret_reference.env_name_empty"
    case .environmentNameInvalid: "secret_reference.env_name_invalid"
    case .filePathEmpty: "secret_reference.file_path_empty"
    case .filePathInvalid: "secret_reference.file_path_invalid"
    }
  }

  /// Which part of the reference is wrong: `scheme`, `path`, `key`, `name`.
  public var part: String {
    switch self {
    case .notAReference: "scheme"
    case .vaultKeyMissing, .vaultKeyEmpty, .vaultKeyInvalid: "key"
    case .vaultPathEmpty, .vaultPathInvalidCharacter, .vaultPathEmptySegment, .vaultPathDotSegment,
      .vaultPathMountOnly, .filePathEmpty, .filePathInvalid:
      "path"
    case .environmentNameEmpty, .environmentNameInvalid: "name"
    }
  }

  public var message: String {
    switch self {
    case .notAReference(let scheme?): "'\(scheme):' is not a secret reference scheme"
    case .notAReference(nil): "not a secret reference: it does not start with vault:, env: or file:"
    case .vaultKeyMissing(let reference): "'\(reference)': the key is missing (no '#KEY' after the path)"
    case .vaultKeyEmpty(let reference): "'\(reference)': the key after '#' is empty"
    case .vaultKeyInvalid(let reference, let key): "'\(reference)': the key '\(key)' contains a second '#'"
    case .vaultPathEmpty(let reference): "'\(reference)': the Vault path before '#' is empty"
    case .vaultPathInvalidCharacter(let reference, let character):
      "'\(reference)': the Vault path contains '\(character)'"
    case .vaultPathEmptySegment(let reference):
      "'\(reference)': the Vault path has an empty segment (a leading, trailing or double '/')"
    case .vaultPathDotSegment(let reference): "'\(reference)': the Vault path contains a '.' or '..' segment"
    case .vaultPathMountOnly(let reference, let mount):
      "'\(reference)': the Vault path names only the mount '\(mount)', not a secret in it"
    case .environmentNameEmpty(let reference): "'\(reference)': the environment variable name is empty"
    case .environmentNameInvalid(let reference, let name):
      "'\(reference)': '\(name)' is not an environment variable name"
    case .filePathEmpty(let reference): "'\(reference)': the file path is empty"
    case .filePathInvalid(let reference): "'\(reference)': the file path contains a NUL character"
    }
  }

  public var hint: String {
    switch self {
    case .notAReference: "write vault:MOUNT/PATH#KEY, env:NAME or file:PATH"
    case .vaultKeyMissing, .vaultKeyEmpty, .vaultKeyInvalid:
      "name one key of the secret, for example vault:secret/vra#password"
    case .vaultPathEmpty, .vaultPathEmptySegment, .vaultPathDotSegment, .vaultPathMountOnly:
      "write MOUNT/PATH, for example vault:secret/vra#password (mount 'secret', secret 'vra')"
    case .vaultPathInvalidCharacter: "Vault paths are '/'-separated names without spaces, '?', '%' or '\\'"
    case .environmentNameEmpty, .environmentNameInvalid:
      "letters, digits and '_', not starting with a digit, for example env:VRA_PASSWORD"
    case .filePathEmpty, .filePathInvalid: "for example file:/run/secrets/vra-password"
    }
  }

  public var description: String { "\(message) (\(code)). Hint: \(hint)" }
}
