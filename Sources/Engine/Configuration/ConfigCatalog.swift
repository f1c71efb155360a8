import RunState
import VRAClient

/// Every setting a config file, a profile, the environment or a flag can give, in the order
/// `config show` lists them. A key not listed here is an error in a file (`config check`).
public enum ConfigCatalog {
  public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

  // The client's own defaults, so `config show` cannot drift from what is used.
  private static let pins = APIVersionPins()
  private static let retry = RetryPolicy.standard

  public static let keys: [ConfigKeySpec] = [
    .init(
      "endpoint.url", .url, "the vRA URL; none means the embedded simulator", environment: "VRA_URL",
      flag: "--endpoint", default: "the embedded simulator"),
    .init(
      "endpoint.flavor", .choice(["auto", "onprem", "cloud"]),
      "auto tells vRA Cloud (*.cloud.vmware.com) from on-prem by the host name", default: "auto"),
    .init("endpoint.org", .string, "the org (tenant) id or name", default: "default"),
    .init(
      "auth.method", .choice(["auto", "refreshToken", "password", "accessToken"]),
      "auto picks by the credentials given", default: "auto"),
    .init(
      "auth.refreshToken", .secret, "refresh token (on-prem) or API token (cloud)", environment: "VRA_REFRESH_TOKEN"),
    .init("auth.username", .string, "user for password login", environment: "VRA_USERNAME"),
    .init("auth.password", .secret, "password for password login", environment: "VRA_PASSWORD"),
    .init("auth.domain", .string, "identity domain for password login", environment: "VRA_DOMAIN"),
    .init("auth.accessToken", .secret, "a ready access token (not refreshed)", environment: "VRA_ACCESS_TOKEN"),
    .init("vault.address", .url, "Vault or OpenBao for vault: references", environment: "VAULT_ADDR"),
    .init("vault.token", .secret, "Vault token (or an env:/file: reference to it)", environment: "VAULT_TOKEN"),
    .init("vault.roleId", .string, "AppRole role id (with vault.secretId)", environment: "VAULT_ROLE_ID"),
    .init("vault.secretId", .secret, "AppRole secret id (or an env:/file: reference)", environment: "VAULT_SECRET_ID"),
    .init("vault.appRoleMount", .string, "AppRole auth mount", environment: "VAULT_APPROLE_MOUNT", default: "approle"),
    .init("vault.namespace", .string, "Vault Enterprise / OpenBao namespace", environment: "VAULT_NAMESPACE"),
    .init("vault.caCertificate", .path, "PEM CA bundle for Vault's TLS", environment: "VAULT_CACERT"),
    .init("tls.caBundle", .path, "PEM file of the CAs to trust instead of the system's"),
    .init("tls.clientCertificate", .path, "PEM client certificate (with tls.clientKey)"),
    .init("tls.clientKey", .path, "PEM key of the client certificate"),
    .init(
      "tls.insecure", .bool, "skip certificate verification (self-signed labs only)", flag: "--insecure",
      default: "false"),
    .init("apiVersions.iaas", .string, "apiVersion sent to /iaas/api", default: pins.iaas),
    .init("apiVersions.blueprint", .string, "apiVersion sent to /blueprint/api", default: pins.blueprint),
    .init("apiVersions.deployment", .string, "apiVersion sent to /deployment/api", default: pins.deployment),
    .init("apiVersions.catalog", .string, "apiVersion sent to /catalog/api", default: pins.catalog),
    .init(
      "apiVersions.projectService", .string, "apiVersion sent to /project-service/api", default: pins.projectService),
    .init(
      "polling.min", .duration, "shortest wait between two status polls", flag: "--poll-min", reloadable: true,
      default: "500ms (100ms on the embedded simulator)"),
    .init(
      "polling.max", .duration, "longest wait between two status polls", flag: "--poll-max", reloadable: true,
      default: "10s (1s on the embedded simulator)"),
    .init(
      "timeouts.attempt", .duration, "one HTTP attempt, connect to last byte",
      default: ConfigSetting.format(Timeouts().attempt)),
    .init(
      "retry.maxAttempts", .integer(1...100), "attempts of one call, the first included",
      default: "\(retry.maxAttempts)"),
    .init(
      "retry.baseDelay", .duration, "backoff before the first retry (doubles, jittered)",
      default: ConfigSetting.format(retry.baseDelay)),
    .init(
      "retry.maxDelay", .duration, "longest backoff between two attempts", default: ConfigSetting.format(retry.maxDelay)
    ),
    .init(
      "retry.totalBudget", .duration, "longest time one call may spend retrying",
      default: ConfigSetting.format(retry.totalBudget)),
    .init(
      "concurrency.parallelism", .integer(1...Int.max), "most stages in flight at once (overrides the plan's)",
      reloadable: true, default: "the plan's parallelism (4)"),
    .init(
      "concurrency.perProjectLimit", .integer(1...Int.max),
      "most stages in flight at once in one project (overrides the plan's)", reloadable: true,
      default: "the plan's (none)"),
    .init(
      "state.url", .string, "the state database: a SQLite file path or sqlite:PATH", flag: "--state",
      default: SQLStateStore.defaultPath),
    .init(
      "telemetry.metricsPort", .integer(0...65535), "serve /metrics on this port (0: any free port)",
      flag: "--metrics-port", default: "no metrics endpoint"),
    .init(
      "telemetry.metricsHost", .string, "the address /metrics listens on", flag: "--metrics-host", default: "127.0.0.1"),
    .init(
      "telemetry.otlpEndpoint", .url,
      "export traces over OTLP/HTTP to this base URL (OTEL_EXPORTER_OTLP_ENDPOINT wins)",
      default: "no traces unless OTEL_* ask for them"),
    .init(
      "log.level", .choice(logLevels), "the lowest level logged to stderr", flag: "--log-level", reloadable: true,
      default: "warning"),
    .init(
      "log.format", .choice(["text", "json"]), "text lines or one JSON object per line", flag: "--log-format",
      default: "text"),
  ]

  /// Keys a file may hold at its top level besides the settings.
  public static let fileOnlyKeys: Set<String> = ["defaultProfile", "profiles"]

  public static func spec(_ key: String) -> ConfigKeySpec? { byKey[key] }

  private static let byKey = Dictionary(uniqueKeysWithValues: keys.map { ($0.key, $0) })

  /// `endpoint`, `auth`, ...: the tables a file may have.
  static let sections: [String] = {
    var seen: [String] = []
    for key in keys {
      let section = String(key.key.prefix { $0 != "." })
      if !seen.contains(section) { seen.append(section) }
    }
    return seen
  }()
}
