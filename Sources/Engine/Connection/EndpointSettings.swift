import Credentials
import Foundation
import VRAClient

/// Where vRA is and how to talk to it: endpoint, credentials, TLS, org, retry, timeouts and
/// apiVersion pins, from the layered configuration (flags, then the environment variables the
/// Terraform provider uses: `VRA_URL`, `VRA_REFRESH_TOKEN`, `VRA_USERNAME` + `VRA_PASSWORD` +
/// `VRA_DOMAIN`, `VRA_ACCESS_TOKEN`; then a config file's profile), so a pipeline that already
/// drives vRA needs no new secrets.
public struct EndpointSettings: Sendable {
  public var endpoint: URL
  public var authentication: Authentication
  public var tls: TLSOptions
  public var organization: String
  public var retry: RetryPolicy
  public var timeouts: Timeouts
  public var apiVersions: APIVersionPins

  public var insecureSkipVerify: Bool {
    get { tls.insecureSkipVerify }
    set { tls.insecureSkipVerify = newValue }
  }

  /// The settings from flags and environment alone (no config file); nil when no endpoint is set.
  public static func resolve(
    endpointFlag: String?, insecure: Bool, environment: [String: String]
  ) throws(EndpointSettingsError) -> EndpointSettings? {
    var flags: [SettingKey: (flag: String, value: String)] = [:]
    if let endpointFlag { flags[.endpointURL] = ("--endpoint", endpointFlag) }
    if insecure { flags[.tlsInsecure] = ("--insecure", "true") }
    let configuration: ResolvedConfiguration
    do {
      configuration = try ConfigResolver.resolve(flags: flags, environment: environment, file: nil, profile: nil)
    } catch {
      throw EndpointSettingsError(message: error.problems.map(\.description).joined(separator: "; "), hint: nil)
    }
    return try resolve(from: configuration)
  }

  /// The settings, or nil when no endpoint is configured at all (the caller then uses the
  /// embedded simulator).
  ///
  /// - Throws: an endpoint without usable credentials, or credentials without an endpoint:
  ///   half a configuration is a mistake, never a reason to fall back to the simulator.
  public static func resolve(
    from configuration: ResolvedConfiguration
  ) throws(EndpointSettingsError)
    -> EndpointSettings?
  {
    func named(_ key: SettingKey) -> String {
      configuration.values[key].map { "\(key) (\($0.source))" } ?? key.spec.environmentName
    }
    guard let text = configuration.text(.endpointURL) else {
      if let key = SettingKey.credentials.first(where: { configuration.values[$0] != nil }) {
        throw EndpointSettingsError(
          message:
            "\(named(key)) is set but no endpoint is: set VRA_URL, endpoint.url in a profile, or pass --endpoint",
          hint: "without an endpoint vra-engine uses its embedded simulator, which ignores credentials")
      }
      return nil
    }
    guard let url = URL(string: text) else {
      throw EndpointSettingsError(
        message: "'\(text)' is not an http(s) URL", hint: "for example https://vra.corp.local")
    }
    let authentication = try authentication(for: url, configuration, named: named)
    let tls = TLSOptions(
      caBundlePath: configuration.text(.tlsCABundle),
      clientCertificatePath: configuration.text(.tlsClientCertificate),
      clientKeyPath: configuration.text(.tlsClientKey),
      insecureSkipVerify: configuration.flag(.tlsInsecure) ?? false)
    if (tls.clientCertificatePath == nil) != (tls.clientKeyPath == nil) {
      throw EndpointSettingsError(
        message: "\(SettingKey.tlsClientCertificate) and \(SettingKey.tlsClientKey) must be given together",
        hint: "set both, or neither")
    }
    let standard = RetryPolicy.standard
    let retry = RetryPolicy(
      maxAttempts: configuration.number(.retryMaxAttempts) ?? standard.maxAttempts,
      baseDelay: configuration.duration(.retryBaseDelay) ?? standard.baseDelay,
      maxDelay: configuration.duration(.retryMaxDelay) ?? standard.maxDelay,
      totalBudget: configuration.duration(.retryTotalBudget) ?? standard.totalBudget,
      maxRetryAfter: standard.maxRetryAfter)
    var pins = APIVersionPins()
    pins.iaas = configuration.text(.apiVersionsIaaS) ?? pins.iaas
    pins.blueprint = configuration.text(.apiVersionsBlueprint) ?? pins.blueprint
    pins.deployment = configuration.text(.apiVersionsDeployment) ?? pins.deployment
    pins.catalog = configuration.text(.apiVersionsCatalog) ?? pins.catalog
    pins.projectService = configuration.text(.apiVersionsProjectService) ?? pins.projectService
    return EndpointSettings(
      endpoint: url, authentication: authentication, tls: tls,
      organization: configuration.text(.endpointOrg) ?? "default", retry: retry,
      timeouts: Timeouts(attempt: configuration.duration(.timeoutsAttempt) ?? Timeouts().attempt), apiVersions: pins)
  }

  private static func authentication(
    for url: URL, _ configuration: ResolvedConfiguration, named: (SettingKey) -> String
  ) throws(EndpointSettingsError) -> Authentication {
    let flavor = configuration.text(.endpointFlavor) ?? "auto"
    func token(_ value: String) -> Authentication {
      switch flavor {
      case "onprem": .refreshToken(Secret(value))
      case "cloud": .apiToken(Secret(value), identityURL: URL(string: "https://console.cloud.vmware.com"))
      default: .auto(token: Secret(value))
      }
    }
    let refresh = configuration.text(.authRefreshToken)
    let user = configuration.text(.authUsername)
    let access = configuration.text(.authAccessToken)
    func password(for user: String) throws(EndpointSettingsError) -> Authentication {
      guard let password = configuration.text(.authPassword) else {
        let key = SettingKey.authPassword
        throw EndpointSettingsError(
          message: "\(named(.authUsername)) is set without \(key.spec.environmentName) (\(key))", hint: nil)
      }
      return .password(username: user, password: Secret(password), domain: configuration.text(.authDomain))
    }
    func missing(_ key: SettingKey) -> EndpointSettingsError {
      EndpointSettingsError(
        message:
          "\(SettingKey.authMethod) is \(configuration.text(.authMethod) ?? "?") but \(key) (\(key.spec.environmentName)) is not set",
        hint: nil)
    }
    switch configuration.text(.authMethod) ?? "auto" {
    case "refreshToken":
      guard let refresh else { throw missing(.authRefreshToken) }
      return token(refresh)
    case "password":
      guard let user else { throw missing(.authUsername) }
      return try password(for: user)
    case "accessToken":
      guard let access else { throw missing(.authAccessToken) }
      return .accessToken(Secret(access))
    default:
      if let refresh { return token(refresh) }
      if let user { return try password(for: user) }
      if let access { return .accessToken(Secret(access)) }
      throw EndpointSettingsError(
        message: "no credentials for \(url.absoluteString)",
        hint:
          "set VRA_REFRESH_TOKEN, or VRA_USERNAME + VRA_PASSWORD (+ VRA_DOMAIN), or VRA_ACCESS_TOKEN, or auth.* in a profile"
      )
    }
  }

  public init(
    endpoint: URL, authentication: Authentication, tls: TLSOptions = .systemTrust, organization: String = "default",
    retry: RetryPolicy = .standard, timeouts: Timeouts = Timeouts(), apiVersions: APIVersionPins = APIVersionPins()
  ) {
    self.endpoint = endpoint
    self.authentication = authentication
    self.tls = tls
    self.organization = organization
    self.retry = retry
    self.timeouts = timeouts
    self.apiVersions = apiVersions
  }

  public init(endpoint: URL, authentication: Authentication, insecureSkipVerify: Bool) {
    self.init(
      endpoint: endpoint, authentication: authentication, tls: TLSOptions(insecureSkipVerify: insecureSkipVerify))
  }

  /// A client configuration for these settings.
  public func clientConfiguration() -> VRAClientConfiguration {
    VRAClientConfiguration(
      endpoint: endpoint, organization: organization, authentication: authentication, tls: tls, retry: retry,
      timeouts: timeouts, apiVersions: apiVersions)
  }
}

/// Endpoint or credentials that cannot be used; the CLI exits 2 with it.
public struct EndpointSettingsError: Error, Sendable, CustomStringConvertible {
  public var message: String
  public var hint: String?
  public var description: String { message + (hint.map { " (\($0))" } ?? "") }
}
