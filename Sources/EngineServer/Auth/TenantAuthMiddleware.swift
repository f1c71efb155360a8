import Hummingbird
import Logging
import Metrics
import VRAModels

/// Lets a request through to the `/api/v1` routes only with credentials that prove a tenant, and
/// puts that tenant in `context.identity`.
///
/// A refusal is a 401 problem document (`WWW-Authenticate: Bearer`), answered after the delay the
/// `AuthFailureThrottle` asks for that client. It is logged at notice level with the client's
/// address and the reason, and counted in `vra_engine_serve_auth_failures_total{reason}`; the
/// token never appears in either.
public struct TenantAuthMiddleware: RouterMiddleware {
  public typealias Context = ServerRequestContext

  private let authenticator: TenantAuthenticator
  private let throttle: AuthFailureThrottle
  private let metrics: AuthMetrics
  private let sleep: @Sendable (Duration) async throws -> Void

  /// - Parameters:
  ///   - metricsFactory: where the failure counter goes; the process's `MetricsSystem` by default.
  ///   - sleep: how the throttle's delay is waited (tests record it instead).
  public init(
    authenticator: TenantAuthenticator, throttle: AuthFailureThrottle, metricsFactory: (any MetricsFactory)? = nil,
    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
  ) {
    self.authenticator = authenticator
    self.throttle = throttle
    self.metrics = AuthMetrics(factory: metricsFactory)
    self.sleep = sleep
  }

  public func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    let client = Self.clientAddress(context)
    switch await authenticator.authenticate(authorization: request.headers[.authorization]) {
    case .success(let identity):
      await throttle.recordSuccess(from: client)
      var context = context
      context.identity = identity
      context.logger[metadataKey: "tenant"] = "\(identity.tenant)"
      context.logger[metadataKey: "principal"] = "\(identity.principal)"
      return try await next(request, context)
    case .failure(let failure):
      let delay = await throttle.recordFailure(from: client)
      metrics.recordFailure(failure)
      context.logger.notice(
        "authentication failed",
        metadata: [
          "client": "\(client)", "auth.reason": "\(failure.reason)", "auth.detail": "\(failure.message)",
          "auth.delay_ms": "\(delay.milliseconds)",
        ])
      if delay > .zero { try await sleep(delay) }
      throw Problem(.unauthenticated, detail: failure.message)
    }
  }

  /// The peer's IP address without its port (a client's port changes with every connection).
  static func clientAddress(_ context: Context) -> String {
    context.remoteAddress?.ipAddress ?? "unknown"
  }
}
