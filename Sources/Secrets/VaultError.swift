/// Why Vault or OpenBao did not give a secret.
///
/// Every case names what was asked (address, path, key) and never a value: a missing key lists
/// the keys the secret has, not what they hold, and server messages are scrubbed of the
/// credentials before they are kept.
public enum VaultError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No address or no credentials in the environment; `missing` names the variables.
  case notConfigured(missing: String)
  case invalidConfiguration(reason: String)
  /// No HTTP answer: connection refused, DNS, TLS, timeout.
  case unreachable(address: String, reason: String)
  /// 503 "Vault is sealed".
  case sealed(address: String)
  /// 403 on a path while the token itself is valid: its policies do not allow the operation.
  case permissionDenied(path: String, operation: String)
  /// 403 on the token's own lookup: it expired or was revoked, and cannot be replaced.
  case tokenInvalid(authentication: String)
  /// 404 on a KV v2 read; `mountMissing` when no secrets engine is mounted at the mount.
  case secretNotFound(path: VaultSecretPath, mountMissing: Bool)
  /// The secret exists but has no such key; `availableKeys` are its keys (names only).
  case keyMissing(path: VaultSecretPath, key: String, availableKeys: [String])
  /// AppRole login refused: wrong role id or secret id, or the secret id expired or was used up.
  case appRoleLoginFailed(mount: String, status: Int)
  case unexpectedStatus(operation: String, status: Int, serverMessages: [String])
  case invalidResponse(operation: String, reason: String)
  /// The task waiting for Vault was cancelled.
  case cancelled

  /// A stable machine code.
  public var code: String {
    switch self {
    case .notConfigured: "vault.not_configured"
    case .invalidConfiguration: "vault.invalid_configuration"
    case .unreachable: "vault.unreachable"
    case .sealed: "vault.sealed"
    case .permissionDenied: "vault.permission_denied"
    case .tokenInvalid: "vault.token_invalid"
    case .secretNotFound: "vault.secret_not_found"
    case .keyMissing: "vault.key_missing"
    case .appRoleLoginFailed: "vault.approle_login_failed"
    case .unexpectedStatus: "vault.unexpected_status"
    case .invalidResponse: "vault.invalid_response"
    case .cancelled: "vault.cancelled"
    }
  }

  public var message: String {
    switch self {
    case .notConfigured(let missing): "Vault is not configured: \(missing) is not set"
    case .invalidConfiguration(let reason): "Vault configuration: \(reason)"
    case .unreachable(let address, let reason): "Vault at \(address) is unreachable: \(reason)"
    case .sealed(let address): "Vault at \(address) is sealed"
    case .permissionDenied(let path, let operation): "permission denied: the token may not \(operation) \(path)"
    case .tokenInvalid(let authentication):
      "the Vault token (\(authentication)) is expired or revoked and cannot be replaced"
    case .secretNotFound(let path, true):
      "no secret at \(path): no KV v2 secrets engine is mounted at '\(path.mount)/'"
    case .secretNotFound(let path, false): "no secret at \(path) (mount '\(path.mount)', path '\(path.path)')"
    case .keyMissing(let path, let key, let keys):
      "the secret at \(path) has no key '\(key)'; its keys are: "
        + (keys.isEmpty ? "(none)" : keys.sorted().joined(separator: ", "))
    case .appRoleLoginFailed(let mount, let status):
      "AppRole login at auth/\(mount) was refused (HTTP \(status)): invalid role id or secret id"
    case .unexpectedStatus(let operation, let status, let messages):
      "Vault answered HTTP \(status) to \(operation)"
        + (messages.isEmpty ? "" : ": " + messages.joined(separator: "; "))
    case .invalidResponse(let operation, let reason): "Vault's answer to \(operation) is not understood: \(reason)"
    case .cancelled: "the Vault request was cancelled"
    }
  }

  public var hint: String {
    switch self {
    case .notConfigured: "set VAULT_ADDR and VAULT_TOKEN, or VAULT_ROLE_ID + VAULT_SECRET_ID (BAO_* also work)"
    case .invalidConfiguration: "see docs/secrets.md for the Vault settings"
    case .unreachable:
      "check VAULT_ADDR, that the server runs and is reachable from here, and VAULT_CACERT for a private CA"
    case .sealed: "an operator must unseal it (bao operator unseal / vault operator unseal)"
    case .permissionDenied(let path, _):
      "grant the token's policy 'read' on \(path), or use a role whose policies do"
    case .tokenInvalid:
      "issue a new token, or use AppRole (VAULT_ROLE_ID + VAULT_SECRET_ID) so the engine can log in again"
        + " (a token created without the default policy cannot look itself up and is refused too)"
    case .secretNotFound(_, true): "check the mount name (the first path segment) with: bao secrets list"
    case .secretNotFound(let path, false):
      "check the path with: bao kv get -mount=\(path.mount) \(path.path) (it may have been deleted)"
    case .keyMissing: "fix the key after '#' in the reference, or add the key to the secret"
    case .appRoleLoginFailed:
      "check VAULT_ROLE_ID and VAULT_SECRET_ID; a secret id can expire or run out of uses: issue a new one"
    case .unexpectedStatus: "see the server's log for the request"
    case .invalidResponse: "is the mount a KV version 2 engine, and the address a Vault or OpenBao server?"
    case .cancelled: "the run was cancelled; nothing to fix"
    }
  }

  public var description: String { "\(message) (\(code)). Hint: \(hint)" }
}
