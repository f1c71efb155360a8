import AsyncHTTPClient
import Engine
import EngineRuntime
import EngineServer
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import VRAClient
import VRAModels

/// The vra-engine API (docs/openapi.json) as the CLI's `--server` mode calls it: one method per
/// operation, JSON in vRA's date format (`VRAJSON`), every failure an `APIError`.
///
/// Retries: a GET is tried again (`retry`) after no answer or a 5xx; so is the run submission,
/// always with the same `Idempotency-Key`, which is what makes that safe: the server answers a
/// replay with the run the first attempt created. Cancel and destroy are sent once.
///
/// The HTTP client is the command's own (`with`), made for the server's TLS (`--server-ca`) and
/// shut down when the command is done with it: nothing of it outlives the call.
struct APIClient: Sendable {
  let connection: ServerConnection
  var retry: RetrySchedule
  private let http: HTTPClient
  private let logger = Logger(label: "vra-engine.server-client")

  /// The longest answer read into memory (a report with many resources stays far below it).
  static let maximumBodyBytes = 64 * 1024 * 1024
  /// How long a request may wait for its answer's head. The event stream, once open, has no such
  /// limit: the server writes a keep-alive at least every 15 seconds, and a connection silent for
  /// `readTimeout` is taken as dropped (and reopened).
  static let requestTimeout: TimeAmount = .seconds(60)
  static let readTimeout: TimeAmount = .seconds(60)

  private init(connection: ServerConnection, retry: RetrySchedule, http: HTTPClient) {
    self.connection = connection
    self.retry = retry
    self.http = http
  }

  /// Runs `body` with a client of `connection`, shut down however `body` ends.
  ///
  /// - Throws: a `RuntimeError` (exit 2) when the CA file holds no certificate; what `body` throws.
  static func with<Result: Sendable>(
    _ connection: ServerConnection, retry: RetrySchedule = RetrySchedule(),
    _ body: (APIClient) async throws -> Result
  ) async throws -> Result {
    var configuration = SharedHTTPClient.makeConfiguration()
    configuration.timeout = .init(connect: .seconds(10), read: readTimeout)
    if let caFile = connection.caFile {
      let certificates: [NIOSSLCertificate]
      do {
        certificates = try NIOSSLCertificate.fromPEMFile(caFile)
      } catch {
        throw RuntimeError.error(
          "the server CA file \(caFile) holds no PEM certificate: \(error)", status: .usageOrValidation)
      }
      var tls = TLSConfiguration.makeClientConfiguration()
      tls.trustRoots = .certificates(certificates)
      configuration.tlsConfiguration = tls
    }
    let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    let client = APIClient(connection: connection, retry: retry, http: http)
    do {
      let result = try await body(client)
      try? await http.shutdown()
      return result
    } catch {
      try? await http.shutdown()
      throw error
    }
  }

  // MARK: Operations

  /// What `POST /api/v1/runs` answered.
  enum SubmitAnswer: Sendable {
    /// 202: the run, and whether the server answered a replay of an earlier attempt.
    case accepted(RunResource, replayed: Bool)
    /// 200: a dry run's requests.
    case dryRun(DryRunAnswer)
  }

  /// `POST /api/v1/runs`. Tried again (up to `retry.attempts`, the same `idempotencyKey` each time)
  /// after no answer or a 5xx; a dry run (nothing recorded) is tried again the same way.
  func submit(
    _ submission: RunSubmission, idempotencyKey: String?, project: String? = nil, region: String? = nil
  ) async throws(APIError) -> SubmitAnswer {
    var headers: [(String, String)] = []
    if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
    if let project { headers.append(("X-Project", project)) }
    if let region { headers.append(("X-Region", region)) }
    let body = try encode(submission)
    let answer = try await retrying("submitting the run") { () async throws(APIError) -> Answer in
      try await send(.POST, "/api/v1/runs", body: body, headers: headers)
    }
    switch answer.status {
    case 200: return .dryRun(try decode(DryRunAnswer.self, answer))
    default:
      let replayed = answer.headers.first(name: "Idempotent-Replayed")?.lowercased() == "true"
      return .accepted(try decode(RunResource.self, answer), replayed: replayed)
    }
  }

  /// `GET /api/v1/runs`: one page.
  func runs(
    status: String? = nil, since: Date? = nil, cursor: String? = nil, limit: Int? = nil
  )
    async throws(APIError) -> RunList
  {
    var query: [(String, String)] = []
    if let status { query.append(("status", status)) }
    if let since { query.append(("since", VRAJSON.formatTimestamp(since))) }
    if let cursor { query.append(("cursor", cursor)) }
    if let limit { query.append(("limit", String(limit))) }
    return try decode(RunList.self, try await get("/api/v1/runs" + Self.queryString(query)))
  }

  /// `GET /api/v1/runs/{id}`: the run's report, as `apply --output json` prints it.
  func report(_ id: String) async throws(APIError) -> RunReport {
    try decode(RunReport.self, try await get("/api/v1/runs/\(Self.pathSegment(id))"))
  }

  /// `POST /api/v1/runs/{id}/cancel`, sent once.
  func cancel(_ id: String) async throws(APIError) -> RunResource {
    try decode(RunResource.self, try await send(.POST, "/api/v1/runs/\(Self.pathSegment(id))/cancel"))
  }

  /// `POST /api/v1/runs/{id}/destroy`, sent once.
  func destroy(_ id: String) async throws(APIError) -> RunResource {
    try decode(RunResource.self, try await send(.POST, "/api/v1/runs/\(Self.pathSegment(id))/destroy"))
  }

  /// `GET /api/v1/runs/{id}/events` from the start, or after `after`, to the `end` event: each run
  /// event to `handle` in order, reconnecting (with `Last-Event-ID`) after a dropped connection.
  ///
  /// - Returns: the run's status as the `end` event gives it.
  func followEvents(
    of id: String, after: Int64? = nil, reader: ServerSentEventReader = ServerSentEventReader(),
    handle: @Sendable (RunEventMessage) async -> Void
  ) async throws(APIError) -> String {
    let decoder = VRAJSON.makeDecoder()
    var endStatus: String?
    do {
      try await reader.read(
        from: after.map(String.init),
        open: { lastEventId in try await openEvents(id, lastEventId: lastEventId) },
        isRetryable: { error in (error as? APIError)?.isRetryable ?? true },
        handle: { event in
          if event.type == "end" {
            endStatus =
              (try? decoder.decode(RunEventEnd.self, from: Data(event.data.utf8)).status) ?? "unknown"
            return false
          }
          guard let message = try? decoder.decode(RunEventMessage.self, from: Data(event.data.utf8)) else {
            logger.debug("skipping an event whose data is not a run event", metadata: ["event": "\(event.type)"])
            return true
          }
          await handle(message)
          return true
        })
    } catch let error as APIError {
      throw error
    } catch {
      throw Self.transport(error, url: connection.url("/api/v1/runs/\(id)/events"))
    }
    guard let endStatus else { throw .unexpected(status: 200, body: "the event stream ended without an end event") }
    return endStatus
  }

  /// The `data` of the `end` event.
  struct RunEventEnd: Decodable {
    var status: String
  }

  /// Opens the event stream once: the response's body, for `ServerSentEventReader`.
  func openEvents(_ id: String, lastEventId: String?) async throws(APIError) -> HTTPClientResponse.Body {
    var request = makeRequest(.GET, "/api/v1/runs/\(Self.pathSegment(id))/events")
    request.headers.replaceOrAdd(name: "Accept", value: "text/event-stream")
    request.headers.add(name: "Cache-Control", value: "no-cache")
    if let lastEventId, !lastEventId.isEmpty { request.headers.add(name: "Last-Event-ID", value: lastEventId) }
    let response: HTTPClientResponse
    do {
      response = try await http.execute(request, timeout: Self.requestTimeout, logger: logger)
    } catch {
      throw Self.transport(error, url: request.url)
    }
    guard response.status == .ok else {
      throw Self.failure(try await Self.collect(response, url: request.url))
    }
    return response.body
  }

  // MARK: Requests

  struct Answer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
  }

  private func get(_ path: String) async throws(APIError) -> Answer {
    try await retrying("GET \(path)") { () async throws(APIError) -> Answer in try await send(.GET, path) }
  }

  /// `attempt` until it succeeds, fails in a way a retry cannot help, or `retry.attempts` ran out.
  private func retrying(
    _ what: String, _ attempt: () async throws(APIError) -> Answer
  ) async throws(APIError) -> Answer {
    var number = 1
    while true {
      do {
        return try await attempt()
      } catch {
        guard error.isRetryable, number < retry.attempts, !Task.isCancelled else { throw error }
        let wait = retry.delay(after: number, retryAfterSeconds: Self.retryAfter(error))
        logger.info(
          "\(what) failed; trying again", metadata: ["attempt": "\(number)", "wait": "\(wait)", "error": "\(error)"])
        do {
          try await Task.sleep(for: wait)
        } catch {
          throw .transport(detail: "cancelled", hint: nil, mayHaveReachedServer: true)
        }
        number += 1
      }
    }
  }

  /// One request, its answer read whole; an error status is thrown as its problem.
  private func send(
    _ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = []
  ) async throws(APIError) -> Answer {
    var request = makeRequest(method, path)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(data: body))
    }
    let response: HTTPClientResponse
    do {
      response = try await http.execute(request, timeout: Self.requestTimeout, logger: logger)
    } catch {
      throw Self.transport(error, url: request.url)
    }
    let answer = try await Self.collect(response, url: request.url)
    guard (200..<300).contains(answer.status) else { throw Self.failure(answer) }
    return answer
  }

  private func makeRequest(_ method: HTTPMethod, _ path: String) -> HTTPClientRequest {
    var request = HTTPClientRequest(url: connection.url(path))
    request.method = method
    request.headers.add(name: "Authorization", value: "Bearer \(connection.token.exposed)")
    request.headers.add(name: "Accept", value: "application/json, application/problem+json")
    request.headers.add(name: "User-Agent", value: "vra-engine/\(VRAEngineVersion.current)")
    return request
  }

  private static func collect(_ response: HTTPClientResponse, url: String) async throws(APIError) -> Answer {
    do {
      let buffer = try await response.body.collect(upTo: maximumBodyBytes)
      return Answer(status: Int(response.status.code), headers: response.headers, body: Data(buffer: buffer))
    } catch {
      throw transport(error, url: url)
    }
  }

  /// An error answer as a problem when its body is one, else as what it is.
  static func failure(_ answer: Answer) -> APIError {
    let retryAfter = answer.headers.first(name: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    if let problem = try? JSONDecoder().decode(Problem.self, from: answer.body) {
      return .problem(problem, retryAfterSeconds: retryAfter ?? problem.retryAfterSeconds)
    }
    return .unexpected(status: answer.status, body: String(decoding: answer.body.prefix(2000), as: UTF8.self))
  }

  static func transport(_ error: any Error, url: String) -> APIError {
    let failure = TransportFailure.classify(error, url: url)
    let hint =
      failure.kind == .tls
      ? "if the server's certificate is signed by a private CA, pass that CA with --server-ca FILE "
        + "(or \(ServerConnection.caVariable))" : failure.hint
    return .transport(detail: failure.detail, hint: hint, mayHaveReachedServer: failure.mayHaveReachedServer)
  }

  private static func retryAfter(_ error: APIError) -> Int? {
    if case .problem(_, let seconds) = error { return seconds }
    return nil
  }

  private func encode(_ value: some Encodable) throws(APIError) -> Data {
    do {
      return try VRAJSON.makeEncoder().encode(value)
    } catch {
      throw .unexpected(status: 0, body: "cannot encode the request: \(error)")
    }
  }

  private func decode<Value: Decodable>(_ type: Value.Type, _ answer: Answer) throws(APIError) -> Value {
    do {
      return try VRAJSON.makeDecoder().decode(type, from: answer.body)
    } catch {
      throw .unexpected(
        status: answer.status,
        body: "the answer is not a \(Value.self) as docs/openapi.json describes it (\(error)): "
          + String(decoding: answer.body.prefix(500), as: UTF8.self))
    }
  }

  // MARK: URLs

  static func pathSegment(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#")))
      ?? text
  }

  static func queryString(_ items: [(String, String)]) -> String {
    guard !items.isEmpty else { return "" }
    let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+?#"))
    return "?"
      + items.map {
        "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)"
      }.joined(separator: "&")
  }
}
