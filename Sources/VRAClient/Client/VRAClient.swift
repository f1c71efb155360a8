import AsyncHTTPClient
import Credentials
import Foundation
import Logging
import NIOHTTP1
import Tracing

/// A vRA 8 REST client for one endpoint and principal: tokens refreshed before they
/// expire, safe retries, typed errors, and the typed endpoints in `Endpoints/`.
///
/// Every call throws `VRAError` only. Cancelling the calling task cancels the in-flight
/// HTTP request and ends the call with `.cancelled` at once.
public final class VRAClient: Sendable {
  public let configuration: VRAClientConfiguration
  let executor: CallExecutor

  /// - Parameter httpClient: defaults to the process-wide `SharedHTTPClient.instance`, which the
  ///   process shuts down once on exit with `SharedHTTPClient.shutdown()`; a client you pass
  ///   stays yours to shut down.
  public convenience init(
    configuration: VRAClientConfiguration, httpClient: HTTPClient = SharedHTTPClient.instance
  ) throws {
    try self.init(configuration: configuration, httpClient: httpClient, tokenClock: .continuous)
  }

  /// - Parameter tokenClock: the clock the token schedule runs on (tests pass a manual one; it
  ///   is used only when no client of this endpoint + org + principal made the token cache yet).
  init(configuration: VRAClientConfiguration, httpClient: HTTPClient, tokenClock: CredentialClock) throws {
    var configuration = configuration
    configuration.authentication = configuration.authentication.resolved(for: configuration.endpoint)
    self.configuration = configuration
    let redactor = configuration.redactor
    redactor.registerSensitiveNames(configuration.sensitiveFields)
    for secret in configuration.authentication.secrets + configuration.secretValues { redactor.register(secret) }
    let provider = configuration.authentication.makeProvider()
    let key = TokenCacheRegistry.Key(
      endpoint: configuration.endpoint.absoluteString.lowercased(), organization: configuration.organization,
      principal: provider.principal)
    let tokens = TokenCacheRegistry.shared.cache(for: key, provider: provider, clock: tokenClock)
    let tracer = configuration.tracer ?? InstrumentationSystem.tracer
    let usesTLS =
      configuration.endpoint.scheme?.lowercased() == "https" || configuration.authentication.usesHTTPSIdentity
    let transport = HTTPTransport(
      client: httpClient, tls: usesTLS ? try configuration.tls.makeConfiguration(logger: configuration.logger) : nil,
      userAgent: configuration.userAgent, tracer: tracer)
    self.executor = CallExecutor(
      configuration: configuration, transport: transport, tokens: tokens, redactor: redactor,
      metrics: ClientMetrics(factory: configuration.metricsFactory), tracer: tracer)
  }

  /// Access tokens obtained for this client's endpoint + org + principal, by any client in this process.
  public var tokenRefreshCount: Int {
    get async { await executor.tokens.refreshCount }
  }

  /// vRA's clock as of its latest answer (`Date` header): the watermark for `lastUpdatedAt` filters.
  public var lastServerTime: Date? { executor.serverClock.lastServerTime }

  /// Redacts every secret this client knows of from `text` (for callers that log vRA data).
  public func redact(_ text: String) -> String { executor.redactor.redact(text) }

  /// The redactor this client registers its secrets in (`VRAClientConfiguration.redactor`).
  public var redactor: Redactor { executor.redactor }

  // MARK: - Building blocks of the endpoints

  func get<T: Decodable>(
    _ path: String, route: String? = nil, query: [(String, String?)] = [], as type: T.Type = T.self
  ) async throws -> T {
    try await executor.call(APIRequest(.GET, path, route: route, query: query), as: type)
  }

  func send<Body: Encodable, T: Decodable>(
    _ method: HTTPMethod, _ path: String, route: String? = nil, query: [(String, String?)] = [], body: Body?,
    safety: CallSafety, as type: T.Type = T.self
  ) async throws -> T {
    try await executor.call(
      try makeRequest(method, path, route: route, query: query, body: body, safety: safety), as: type)
  }

  /// For answers without a useful body (204, or one the caller does not need).
  func sendIgnoringAnswer<Body: Encodable>(
    _ method: HTTPMethod, _ path: String, route: String? = nil, query: [(String, String?)] = [], body: Body?,
    safety: CallSafety
  ) async throws {
    _ = try await executor.send(try makeRequest(method, path, route: route, query: query, body: body, safety: safety))
  }

  private func makeRequest<Body: Encodable>(
    _ method: HTTPMethod, _ path: String, route: String?, query: [(String, String?)], body: Body?, safety: CallSafety
  ) throws -> APIRequest {
    var request = APIRequest(method, path, route: route, query: query, safety: safety)
    if let body {
      do {
        try request.setJSON(body)
      } catch {
        throw VRAError(
          .validation(messages: ["\(error)"]), method: method.rawValue, path: path,
          message: "the request body cannot be encoded: \(error)")
      }
    }
    return request
  }
}

/// An empty JSON body placeholder for calls that send none.
struct NoBody: Encodable, Sendable {}

extension Authentication {
  var secrets: [Secret] {
    switch self {
    case .refreshToken(let token), .accessToken(let token): [token]
    case .apiToken(let token, _), .auto(let token, _): [token]
    case .password(_, let password, _): [password]
    }
  }

  var usesHTTPSIdentity: Bool {
    if case .apiToken(_, let url?) = self { return url.scheme?.lowercased() == "https" }
    return false
  }
}
