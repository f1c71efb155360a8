import Credentials
import Engine
import Secrets
import VRAClient

/// The process's one `Redactor`. Everything the CLI writes (stdout, stderr, log lines, the progress
/// display) passes through it, and so does what the engine stores: the vRA client is created with it
/// (`VRAClientConfiguration.redactor`), and the orchestrator redacts store writes and events with the
/// client's. Whoever learns a secret registers it here; no channel needs its own check.
public enum OutputRedaction {
  public static let redactor = Redactor()

  /// Environment variables that hold credentials as literal values (a reference is registered once resolved).
  public static let credentialVariables = [
    "VRA_PASSWORD", "VRA_REFRESH_TOKEN", "VRA_ACCESS_TOKEN", "VAULT_TOKEN", "BAO_TOKEN", "VAULT_SECRET_ID",
    "BAO_SECRET_ID",
  ]

  /// Registers the credentials given as literal values in the environment.
  public static func registerCredentials(from environment: [String: String]) {
    for name in credentialVariables {
      guard let value = environment[name], !SecretReference.isReference(value) else { continue }
      redactor.register(Secret(value))
    }
  }

  /// Registers the credentials a config file or variable gives as literal values (`auth.password = "..."`).
  public static func registerCredentials(from configuration: ResolvedConfiguration) {
    for spec in ConfigCatalog.keys where spec.isSecret {
      guard let value = configuration.text(spec.key), !SecretReference.isReference(value) else { continue }
      redactor.register(Secret(value))
    }
  }
}
