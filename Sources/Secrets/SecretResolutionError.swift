/// Why a secret reference could not be resolved to a value. Names the reference, never a value.
public enum SecretResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
  case invalidReference(SecretReferenceError)
  case environmentVariableMissing(name: String)
  case environmentVariableEmpty(name: String)
  case fileUnreadable(path: String, reason: String)
  case fileNotUTF8(path: String)
  case vault(reference: String, VaultError)

  /// A stable machine code; a Vault failure keeps the Vault code.
  public var code: String {
    switch self {
    case .invalidReference(let error): error.code
    case .environmentVariableMissing: "secret.env_missing"
    case .environmentVariableEmpty: "secret.env_empty"
    case .fileUnreadable: "secret.file_unreadable"
    case .fileNotUTF8: "secret.file_not_utf8"
    case .vault(_, let error): error.code
    }
  }

  public var message: String {
    switch self {
    case .invalidReference(let error): error.message
    case .environmentVariableMissing(let name): "env:\(name): the environment variable \(name) is not set"
    case .environmentVariableEmpty(let name): "env:\(name): the environment variable \(name) is empty"
    case .fileUnreadable(let path, let reason): "file:\(path): cannot read the file: \(reason)"
    case .fileNotUTF8(let path): "file:\(path): the file is not UTF-8 text"
    case .vault(let reference, let error): "\(reference): \(error.message)"
    }
  }

  public var hint: String {
    switch self {
    case .invalidReference(let error): error.hint
    case .environmentVariableMissing(let name), .environmentVariableEmpty(let name):
      "export \(name) in the environment vra-engine runs in"
    case .fileUnreadable: "check that the path exists and is readable by the user vra-engine runs as"
    case .fileNotUTF8: "secrets read from files must be text"
    case .vault(_, let error): error.hint
    }
  }

  /// Whether the failure is about reaching or logging in to Vault (CLI exit 3) rather than the
  /// reference itself (exit 2).
  public var isConnectivityOrAuth: Bool {
    guard case .vault(_, let error) = self else { return false }
    switch error {
    case .unreachable, .sealed, .tokenInvalid, .appRoleLoginFailed, .permissionDenied: return true
    default: return false
    }
  }

  public var description: String { "\(message) (\(code)). Hint: \(hint)" }
}
