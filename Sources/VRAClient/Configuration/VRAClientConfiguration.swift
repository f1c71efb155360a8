import Credentials
import Foundation
import Logging
import Metrics
import Tracing
import VRAModels

/// Everything a `VRAClient` needs to talk to one vRA endpoint as one principal.
public struct VRAClientConfiguration: Sendable {
  /// `https://vra.example.com` (no path).
  public var endpoint: URL
  /// The org (tenant) id or name: part of the token cache key, sent nowhere.
  public var organization: String
  public var authentication: Authentication
  public var tls: TLSOptions
  public var retry: RetryPolicy
  public var timeouts: Timeouts
  public var apiVersions: APIVersionPins
  public var userAgent: String
  public var logger: Logger
  /// nil uses `MetricsSystem.factory` (whatever the process bootstrapped).
  public var metricsFactory: (any MetricsFactory)?
  /// nil uses `InstrumentationSystem.tracer`.
  public var tracer: (any Tracer)?
  /// Request and answer bodies are logged (redacted) at trace level only when this is true.
  public var logBodies: Bool
  /// Field names whose values are hidden in every log line and error message, on top of the
  /// built-in ones (`password`, `token`, `secret`, `apiKey`, `privateKey`, ...); compared
  /// case-insensitively. Typically the names of a template's `encrypted: true` inputs.
  public var sensitiveFields: Set<String>
  /// Values hidden wherever they appear (Vault values, the values of encrypted inputs),
  /// whatever field, message or header carries them. Values shorter than 6 characters are
  /// not scrubbed: hiding every short string would ruin the logs without protecting anything.
  public var secretValues: [Secret]
  /// The redactor this client's log lines and error messages go through; the client registers its
  /// credentials, every access token it obtains, `sensitiveFields` and `secretValues` in it. Pass the
  /// process's one redactor so that every other channel (logs, the state store, reports) hides them too.
  public var redactor: Redactor

  public init(
    endpoint: URL, organization: String = "default", authentication: Authentication, tls: TLSOptions = .systemTrust,
    retry: RetryPolicy = .standard, timeouts: Timeouts = Timeouts(), apiVersions: APIVersionPins = APIVersionPins(),
    userAgent: String = "vra-engine/\(VRAEngineVersion.current)",
    logger: Logger = Logger(label: "vra-engine.client"), metricsFactory: (any MetricsFactory)? = nil,
    tracer: (any Tracer)? = nil, logBodies: Bool = true, sensitiveFields: Set<String> = [],
    secretValues: [Secret] = [], redactor: Redactor = Redactor()
  ) {
    self.endpoint = endpoint
    self.organization = organization
    self.authentication = authentication
    self.tls = tls
    self.retry = retry
    self.timeouts = timeouts
    self.apiVersions = apiVersions
    self.userAgent = userAgent
    self.logger = logger
    self.metricsFactory = metricsFactory
    self.tracer = tracer
    self.logBodies = logBodies
    self.sensitiveFields = sensitiveFields
    self.secretValues = secretValues
    self.redactor = redactor
  }
}
