import RunState
import VRAClient

/// Every setting a config file, a profile, the environment or a flag can give, in the order
/// `config show` lists them. A key not listed here is an error in a file (`config check`).
public enum ConfigCatalog {
  public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

  // The client's own defaults, so `config show` cannot drift from what is used.
  private static let pins = APIVersionPins()
  private static let retry = RetryPolicy.standard

  /// Every setting, in the order `config show` lists them.
  public static let keys: [ConfigKeySpec] = SettingKey.allCases.map { make($0) }

  /// What `key` accepts and where else it can come from.
  public static func spec(_ key: SettingKey) -> ConfigKeySpec { byKey[key] ?? make(key) }

  private static let byKey = Dictionary(uniqueKeysWithValues: keys.map { ($0.key, $0) })

  /// A switch, so that a key without a spec does not compile.
  private static func make(_ key: SettingKey) -> ConfigKeySpec {
    switch key {
    case .endpointURL:
      ConfigKeySpec(
        key, .url, "the vRA URL; none means the embedded simulator", environment: "VRA_URL",
        flag: "--endpoint", default: "the embedded simulator")
    case .endpointFlavor:
      ConfigKeySpec(
        key, .choice(["auto", "onprem", "cloud"]),
        "auto tells vRA Cloud (*.cloud.vmware.com) from on-prem by the host name", default: "auto")
    case .endpointOrg:
      ConfigKeySpec(key, .string, "the org (tenant) id or name", default: "default")
    case .authMethod:
      ConfigKeySpec(
        key, .choice(["auto", "refreshToken", "password", "accessToken"]),
        "auto picks by the credentials given", default: "auto")
    case .authRefreshToken:
      ConfigKeySpec(
        key, .secret, "refresh token (on-prem) or API token (cloud)", environment: "VRA_REFRESH_TOKEN")
    case .authUsername:
      ConfigKeySpec(key, .string, "user for password login", environment: "VRA_USERNAME")
    case .authPassword:
      ConfigKeySpec(key, .secret, "password for password login", environment: "VRA_PASSWORD")
    case .authDomain:
      ConfigKeySpec(key, .string, "identity domain for password login", environment: "VRA_DOMAIN")
    case .authAccessToken:
      ConfigKeySpec(key, .secret, "a ready access token (not refreshed)", environment: "VRA_ACCESS_TOKEN")
    case .vaultAddress:
      ConfigKeySpec(key, .url, "Vault or OpenBao for vault: references", environment: "VAULT_ADDR")
    case .vaultToken:
      ConfigKeySpec(key, .secret, "Vault token (or an env:/file: reference to it)", environment: "VAULT_TOKEN")
    case .vaultRoleId:
      ConfigKeySpec(key, .string, "AppRole role id (with vault.secretId)", environment: "VAULT_ROLE_ID")
    case .vaultSecretId:
      ConfigKeySpec(key, .secret, "AppRole secret id (or an env:/file: reference)", environment: "VAULT_SECRET_ID")
    case .vaultAppRoleMount:
      ConfigKeySpec(key, .string, "AppRole auth mount", environment: "VAULT_APPROLE_MOUNT", default: "approle")
    case .vaultNamespace:
      ConfigKeySpec(key, .string, "Vault Enterprise / OpenBao namespace", environment: "VAULT_NAMESPACE")
    case .vaultCACertificate:
      ConfigKeySpec(key, .path, "PEM CA bundle for Vault's TLS", environment: "VAULT_CACERT")
    case .tlsCABundle:
      ConfigKeySpec(key, .path, "PEM file of the CAs to trust instead of the system's")
    case .tlsClientCertificate:
      ConfigKeySpec(key, .path, "PEM client certificate (with tls.clientKey)")
    case .tlsClientKey:
      ConfigKeySpec(key, .path, "PEM key of the client certificate")
    case .tlsInsecure:
      ConfigKeySpec(
        key, .bool, "skip certificate verification (self-signed labs only)", flag: "--insecure",
        default: "false")
    case .apiVersionsIaaS:
      ConfigKeySpec(key, .string, "apiVersion sent to /iaas/api", default: pins.iaas)
    case .apiVersionsBlueprint:
      ConfigKeySpec(key, .string, "apiVersion sent to /blueprint/api", default: pins.blueprint)
    case .apiVersionsDeployment:
      ConfigKeySpec(key, .string, "apiVersion sent to /deployment/api", default: pins.deployment)
    case .apiVersionsCatalog:
      ConfigKeySpec(key, .string, "apiVersion sent to /catalog/api", default: pins.catalog)
    case .apiVersionsProjectService:
      ConfigKeySpec(
        key, .string, "apiVersion sent to /project-service/api", default: pins.projectService)
    case .pollingMin:
      ConfigKeySpec(
        key, .duration, "shortest wait between two status polls", flag: "--poll-min", reloadable: true,
        default: "500ms (100ms on the embedded simulator)")
    case .pollingMax:
      ConfigKeySpec(
        key, .duration, "longest wait between two status polls", flag: "--poll-max", reloadable: true,
        default: "10s (1s on the embedded simulator)")
    case .timeoutsAttempt:
      ConfigKeySpec(
        key, .duration, "one HTTP attempt, connect to last byte",
        default: ConfigSetting.format(Timeouts().attempt))
    case .retryMaxAttempts:
      ConfigKeySpec(
        key, .integer(1...100), "attempts of one call, the first included",
        default: "\(retry.maxAttempts)")
    case .retryBaseDelay:
      ConfigKeySpec(
        key, .duration, "backoff before the first retry (doubles, jittered)",
        default: ConfigSetting.format(retry.baseDelay))
    case .retryMaxDelay:
      ConfigKeySpec(
        key, .duration, "longest backoff between two attempts", default: ConfigSetting.format(retry.maxDelay)
      )
    case .retryTotalBudget:
      ConfigKeySpec(
        key, .duration, "longest time one call may spend retrying",
        default: ConfigSetting.format(retry.totalBudget))
    case .concurrencyParallelism:
      ConfigKeySpec(
        key, .integer(1...Int.max), "most stages in flight at once (overrides the plan's)",
        reloadable: true, default: "the plan's parallelism (4)")
    case .concurrencyPerProjectLimit:
      ConfigKeySpec(
        key, .integer(1...Int.max),
        "most stages in flight at once in one project (overrides the plan's)", reloadable: true,
        default: "the plan's (none)")
    case .stateURL:
      ConfigKeySpec(
        key, .string,
        "the state database: a SQLite file path (sqlite:PATH), or postgres://USER@HOST[:PORT]/DB[?sslmode=…]",
        flag: "--state", default: SQLStateStore.defaultPath)
    case .statePassword:
      ConfigKeySpec(
        key, .secret, "the PostgreSQL state database's password (or an env:, file: or vault: reference)",
        default: "the URL's, else none")
    case .telemetryMetricsPort:
      ConfigKeySpec(
        key, .integer(0...65535), "serve /metrics on this port (0: any free port)",
        flag: "--metrics-port", default: "no metrics endpoint")
    case .telemetryMetricsHost:
      ConfigKeySpec(
        key, .string, "the address /metrics listens on", flag: "--metrics-host", default: "127.0.0.1")
    case .telemetryOTLPEndpoint:
      ConfigKeySpec(
        key, .url,
        "export traces over OTLP/HTTP to this base URL (OTEL_EXPORTER_OTLP_ENDPOINT wins)",
        default: "no traces unless OTEL_* ask for them")
    case .logLevel:
      ConfigKeySpec(
        key, .choice(logLevels), "the lowest level logged to stderr", flag: "--log-level", reloadable: true,
        default: "warning")
    case .logFormat:
      ConfigKeySpec(
        key, .choice(["text", "json"]), "text lines or one JSON object per line", flag: "--log-format",
        default: "text")
    }
  }

  /// Keys a file may hold at its top level besides the settings.
  public static let fileOnlyKeys: Set<String> = ["defaultProfile", "profiles"]

  /// The spec of a key as written in a file or asked for by name; nil for an unknown key.
  public static func spec(_ key: String) -> ConfigKeySpec? { SettingKey(rawValue: key).map(spec) }

  /// `endpoint`, `auth`, ...: the tables a file may have.
  static let sections: [String] = {
    var seen: [String] = []
    for key in SettingKey.allCases where !seen.contains(key.section) { seen.append(key.section) }
    return seen
  }()
}
