import Credentials
import Foundation
import Logging
import NIOHTTP1
import Tracing
import VRAModels

/// Runs one logical call: token, attempts, the 401 replay, retries with backoff within
/// the time budget; then one log line, metrics and a span for the whole call.
///
/// Per call: attempt → answer 2xx: done · 401 (first time, refreshable): refresh once
/// (single-flight) and replay, not counted as a retry · retryable per `RetryDecision`
/// and within `maxAttempts` and the budget: wait (Retry-After or full jitter), attempt
/// again · otherwise: throw the classified `VRAError`.
final class CallExecutor: Sendable {
  let configuration: VRAClientConfiguration
  let transport: HTTPTransport
  let tokens: TokenCache
  let redactor: Redactor
  let metrics: ClientMetrics
  let tracer: any Tracer
  let serverClock = ServerClock()
  private var logger: Logger { configuration.logger }

  init(
    configuration: VRAClientConfiguration, transport: HTTPTransport, tokens: TokenCache, redactor: Redactor,
    metrics: ClientMetrics, tracer: any Tracer
  ) {
    self.configuration = configuration
    self.transport = transport
    self.tokens = tokens
    self.redactor = redactor
    self.metrics = metrics
    self.tracer = tracer
  }

  // MARK: - Calls

  func send(_ request: APIRequest) async throws -> RawResponse {
    let start = ContinuousClock.now
    return try await tracer.withAnySpan("vRA \(request.method.rawValue) \(request.route)", ofKind: .client) { span in
      span.attributes["http.request.method"] = request.method.rawValue
      span.attributes["url.path"] = request.path
      span.attributes["http.route"] = request.route
      do {
        let (response, attempts) = try await run(request, start: start)
        span.attributes["http.response.status_code"] = response.status
        span.attributes["vra.attempts"] = attempts
        finish(request, start: start, status: response.status, attempts: attempts, requestId: response.vraRequestId)
        return response
      } catch let error as VRAError {
        span.attributes["http.response.status_code"] = error.status
        span.attributes["vra.attempts"] = error.attempts
        span.attributes["error.type"] = error.errorClass.name
        span.setStatus(SpanStatus(code: .error, message: error.errorClass.name))
        finish(
          request, start: start, status: error.status, attempts: error.attempts, requestId: error.requestId,
          error: error)
        throw error
      }
    }
  }

  func decode<T: Decodable>(_ type: T.Type, from response: RawResponse, request: APIRequest) throws -> T {
    do {
      return try VRAJSONCoding.decoder.decode(T.self, from: response.body)
    } catch {
      let failure = ErrorClassifier.decoding(error, request: request, type: T.self, attempts: 1)
      logger.error(
        "vRA answer not understood",
        metadata: [
          "http.method": "\(request.method.rawValue)", "http.path": "\(request.path)",
          "error.class": "decoding", "error.message": "\(failure.message)",
        ])
      throw failure
    }
  }

  func call<T: Decodable>(_ request: APIRequest, as type: T.Type) async throws -> T {
    try decode(type, from: try await send(request), request: request)
  }

  // MARK: - The attempt loop

  private func run(_ request: APIRequest, start: ContinuousClock.Instant) async throws -> (RawResponse, Int) {
    let policy = configuration.retry
    let deadline = start + policy.totalBudget
    let url = request.url(
      base: configuration.endpoint, apiVersion: configuration.apiVersions.version(for: request.family))
    var attempts = 0
    var retries = 0
    var replayed401 = false
    while true {
      if Task.isCancelled { throw ErrorClassifier.cancelled(request, attempts: attempts) }
      let token = request.authenticated ? try await obtainToken(for: request, attempts: attempts) : nil
      let remaining = deadline - .now
      guard remaining > .zero else { throw budgetExhausted(request, attempts: attempts) }
      attempts += 1
      let attemptStart = ContinuousClock.now
      logBody(request.body, direction: "request", request: request)
      let result = await transport.send(
        request, url: url, bearer: token?.value, timeout: min(configuration.timeouts.attempt, remaining))

      let error: VRAError
      var retryAfter: Duration?
      switch result {
      case .success(let response):
        serverClock.record(serverDate: response.serverDate)
        logAttempt(request, attempt: attempts, status: response.status, start: attemptStart, response: response)
        if response.isSuccess { return (response, attempts) }
        if response.status == 401, let token, tokens.provider.canRefresh, !replayed401 {
          // The token was refused before its time (revoked, clock skew, vRA restarted):
          // one refresh for everyone holding it, then one replay.
          replayed401 = true
          logger.debug(
            "vRA refused the access token; refreshing once and replaying",
            metadata: ["http.method": "\(request.method.rawValue)", "http.path": "\(request.path)"])
          _ = try await replaceToken(token, for: request, attempts: attempts)
          continue
        }
        var classified = ErrorClassifier.classify(response, request: request, attempts: attempts, redactor: redactor)
        classified.requestId = response.vraRequestId
        error = classified
        retryAfter = RetryAfter.parse(response.headers.first(name: "Retry-After"))
      case .failure(let failure):
        if failure.kind == .cancelled || Task.isCancelled {
          var cancelled = ErrorClassifier.cancelled(request, attempts: attempts)
          cancelled.outcomeUnknown = request.safety == .creating
          throw cancelled
        }
        logAttempt(request, attempt: attempts, status: 0, start: attemptStart, failure: failure)
        error = ErrorClassifier.classify(failure, request: request, attempts: attempts, redactor: redactor)
      }

      retries += 1
      guard error.retryable, retries < policy.maxAttempts else { throw error }
      var delay = policy.backoff(retry: retries)
      if let retryAfter {
        guard retryAfter <= policy.maxRetryAfter else { throw error }
        delay = retryAfter
      }
      guard ContinuousClock.now + delay < deadline else { throw error }
      metrics.recordRetry(method: request.method.rawValue, route: request.route, reason: error.errorClass.name)
      logger.debug(
        "retrying vRA call",
        metadata: [
          "http.method": "\(request.method.rawValue)", "http.path": "\(request.path)", "http.status": "\(error.status)",
          "retry.attempt": "\(attempts)", "retry.delay_ms": "\(delay.milliseconds)",
          "error.class": "\(error.errorClass.name)",
        ])
      do {
        try await Task.sleep(for: delay)
      } catch {
        throw ErrorClassifier.cancelled(request, attempts: attempts)
      }
    }
  }

  private func obtainToken(for request: APIRequest, attempts: Int) async throws -> AccessToken {
    do {
      let token = try await tokens.token(using: self)
      redactor.registerExpiring(token.value)
      return token
    } catch is CancellationError {
      throw ErrorClassifier.cancelled(request, attempts: attempts)
    }
  }

  private func replaceToken(
    _ rejected: AccessToken, for request: APIRequest, attempts: Int
  ) async throws
    -> AccessToken
  {
    do {
      let token = try await tokens.replace(rejected: rejected, using: self)
      redactor.registerExpiring(token.value)
      return token
    } catch is CancellationError {
      throw ErrorClassifier.cancelled(request, attempts: attempts)
    }
  }

  private func budgetExhausted(_ request: APIRequest, attempts: Int) -> VRAError {
    VRAError(
      .timeout, method: request.method.rawValue, path: request.path,
      message: "no answer within the call's time budget (\(configuration.retry.totalBudget))",
      hint: "vRA is slow or unreachable; raise the retry budget if this is expected", attempts: max(attempts, 1))
  }

  // MARK: - Logs and metrics

  private func finish(
    _ request: APIRequest, start: ContinuousClock.Instant, status: Int, attempts: Int, requestId: String?,
    error: VRAError? = nil
  ) {
    let duration = ContinuousClock.now - start
    metrics.recordCall(
      method: request.method.rawValue, route: request.route, status: status, errorClass: error?.errorClass.name,
      duration: duration)
    if !request.authenticated {
      metrics.recordTokenRefresh(route: request.route, outcome: error == nil ? "success" : error!.errorClass.name)
    }
    var metadata: Logger.Metadata = [
      "http.method": "\(request.method.rawValue)", "http.path": "\(request.path)", "http.status": "\(status)",
      "http.duration_ms": "\(duration.milliseconds)", "retry.attempt": "\(attempts)",
    ]
    if let requestId { metadata["vra.request_id"] = "\(requestId)" }
    guard let error else {
      logger.info("vRA call", metadata: metadata)
      return
    }
    // The call never went out because no token could be had: the login call failing said so in its
    // own line, under its own path; a second line would name this path with the login's error.
    guard error.path == request.path else { return }
    metadata["error.class"] = "\(error.errorClass.name)"
    metadata["error.severity"] = "\(error.severity.rawValue)"
    metadata["error.message"] = "\(error.message)"
    if let hint = error.hint { metadata["error.hint"] = "\(hint)" }
    if let serverErrorId = error.serverErrorId { metadata["vra.server_error_id"] = "\(serverErrorId)" }
    // Information, like every call line: the error is thrown to the caller, who decides whether
    // it is a problem (a 404 is often the answer a lookup wanted) and reports it; a warning or
    // error line here would say again what the caller says (`error: ...` from the CLI), at the
    // default level. Background work the caller retries warns on its own (the tracker).
    logger.info("vRA call failed", metadata: metadata)
  }

  private func logAttempt(
    _ request: APIRequest, attempt: Int, status: Int, start: ContinuousClock.Instant, response: RawResponse? = nil,
    failure: TransportFailure? = nil
  ) {
    metrics.recordAttempt(method: request.method.rawValue, route: request.route, status: status)
    guard logger.logLevel <= .debug else { return }
    var metadata: Logger.Metadata = [
      "http.method": "\(request.method.rawValue)", "http.path": "\(request.path)", "http.status": "\(status)",
      "http.duration_ms": "\((ContinuousClock.now - start).milliseconds)", "retry.attempt": "\(attempt)",
    ]
    if let id = response?.vraRequestId { metadata["vra.request_id"] = "\(id)" }
    if let failure { metadata["error.message"] = "\(redactor.redact(failure.detail))" }
    logger.debug("vRA attempt", metadata: metadata)
    if let response { logBody(response.body, direction: "response", request: request) }
  }

  /// Bodies only at trace level, and always through the redactor.
  private func logBody(_ body: Data?, direction: String, request: APIRequest) {
    guard configuration.logBodies, logger.logLevel <= .trace, let body, !body.isEmpty else { return }
    let text = redactor.redact(String(decoding: body.prefix(16 * 1024), as: UTF8.self))
    logger.trace(
      "vRA \(direction) body",
      metadata: ["http.method": "\(request.method.rawValue)", "http.path": "\(request.path)", "body": "\(text)"])
  }
}
