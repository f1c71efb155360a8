import Credentials

/// How the engine logs in to Vault or OpenBao.
public enum VaultAuthentication: Sendable, CustomStringConvertible {
  /// A token issued elsewhere (`VAULT_TOKEN` / `BAO_TOKEN`). Renewed while it is renewable;
  /// once it expires there is no way to get another.
  case token(Secret)
  /// AppRole: `POST /v1/auth/<mount>/login` with a role id and secret id. The token it returns
  /// is renewed, and replaced by a fresh login when renewal is refused or capped by its max TTL.
  case appRole(roleID: Secret, secretID: Secret, mount: String = "approle")

  /// The method, never the credentials.
  public var description: String {
    switch self {
    case .token: "token"
    case .appRole(_, _, let mount): "approle (auth/\(mount))"
    }
  }

  /// Credential values, for scrubbing server messages before they reach an error or a log line.
  var secretValues: [Secret] {
    switch self {
    case .token(let token): [token]
    case .appRole(let roleID, let secretID, _): [roleID, secretID]
    }
  }
}
