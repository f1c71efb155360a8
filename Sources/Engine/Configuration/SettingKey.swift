/// A setting's key as a typed constant: one case per setting, in the order `config show` lists
/// them. The raw value is the dotted key written in a file (`polling.min`); what the key accepts,
/// its environment variable and flag are its `spec` in `ConfigCatalog`.
///
/// Not swift-configuration's `ConfigKey`, which is the path a provider is asked for: a setting's
/// key becomes one of those only inside `ConfigResolver`.
public enum SettingKey: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case endpointURL = "endpoint.url"
  case endpointFlavor = "endpoint.flavor"
  case endpointOrg = "endpoint.org"
  case authMethod = "auth.method"
  case authRefreshToken = "auth.refreshToken"
  case authUsername = "auth.username"
  case authPassword = "auth.password"
  case authDomain = "auth.domain"
  case authAccessToken = "auth.accessToken"
  case vaultAddress = "vault.address"
  case vaultToken = "vault.token"
  case vaultRoleId = "vault.roleId"
  case vaultSecretId = "vault.secretId"
  case vaultAppRoleMount = "vault.appRoleMount"
  case vaultNamespace = "vault.namespace"
  case vaultCACertificate = "vault.caCertificate"
  case tlsCABundle = "tls.caBundle"
  case tlsClientCertificate = "tls.clientCertificate"
  case tlsClientKey = "tls.clientKey"
  case tlsInsecure = "tls.insecure"
  case apiVersionsIaaS = "apiVersions.iaas"
  case apiVersionsBlueprint = "apiVersions.blueprint"
  case apiVersionsDeployment = "apiVersions.deployment"
  case apiVersionsCatalog = "apiVersions.catalog"
  case apiVersionsProjectService = "apiVersions.projectService"
  case pollingMin = "polling.min"
  case pollingMax = "polling.max"
  case timeoutsAttempt = "timeouts.attempt"
  case retryMaxAttempts = "retry.maxAttempts"
  case retryBaseDelay = "retry.baseDelay"
  case retryMaxDelay = "retry.maxDelay"
  case retryTotalBudget = "retry.totalBudget"
  case concurrencyParallelism = "concurrency.parallelism"
  case concurrencyPerProjectLimit = "concurrency.perProjectLimit"
  case stateURL = "state.url"
  case statePassword = "state.password"
  case telemetryMetricsPort = "telemetry.metricsPort"
  case telemetryMetricsHost = "telemetry.metricsHost"
  case telemetryOTLPEndpoint = "telemetry.otlpEndpoint"
  case logLevel = "log.level"
  case logFormat = "log.format"

  /// The credentials of a vRA login, in the order they are looked at.
  public static let credentials: [SettingKey] = [.authRefreshToken, .authAccessToken, .authUsername, .authPassword]

  /// `polling` for `polling.min`: the table a file writes it in.
  public var section: String { String(rawValue.prefix { $0 != "." }) }

  /// What the key accepts, where else it can come from, and whether an edit applies mid-run.
  public var spec: ConfigKeySpec { ConfigCatalog.spec(self) }

  public var description: String { rawValue }
}
