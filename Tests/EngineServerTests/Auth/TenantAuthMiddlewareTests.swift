import Foundation
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import Synchronization
import Testing

@testable import EngineServer

@Suite("Auth middleware")
struct TenantAuthMiddlewareTests {
  /// A live server on 127.0.0.1 (any free port) with `/api/v1/whoami` behind the middleware.
  final class Harness: Sendable {
    let token = APIToken.generate()
    let delays = Mutex<[Duration]>([])
    let metrics = RecordingMetrics()
    let logs = InMemoryLogHandler()

    func run(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
      let directory = TenantDirectory(
        ServeConfiguration(
          file: "/serve.yaml", listen: .init(host: "127.0.0.1", port: 0), statePath: "/state.db",
          tenants: [TenantConfiguration(name: "team-a", tokenHashes: [APIToken.hashLine(of: token)])]))
      let middleware = TenantAuthMiddleware(
        authenticator: TenantAuthenticator(directory: directory), throttle: AuthFailureThrottle(),
        metricsFactory: metrics, sleep: { delay in self.delays.withLock { $0.append(delay) } })
      let router = Router(context: ServerRequestContext.self)
      router.group("api/v1").add(middleware: middleware).get("whoami") { _, context -> String in
        let identity = try context.requireIdentity()
        return "\(identity.tenant) \(identity.method.rawValue) \(identity.principal)"
      }
      let handler = logs
      var logger = Logger(label: "vra-engine.serve") { _ in handler }
      logger.logLevel = .trace
      let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
      try await app.test(.live, test)
    }

    var logText: String {
      logs.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
    }
  }

  @Test("no or bad credentials: 401 problem document with WWW-Authenticate, logged and counted without the token")
  func refused() async throws {
    let harness = Harness()
    let wrong = APIToken.generate()
    try await harness.run { client in
      try await client.execute(uri: "/api/v1/whoami", method: .get) { response in
        #expect(response.status == .unauthorized)
        #expect(response.headers[.wwwAuthenticate] == "Bearer")
        #expect(response.headers[.contentType] == "application/problem+json")
        let problem = try JSONDecoder().decode(Problem.self, from: Data(response.body.readableBytesView))
        #expect(problem == Problem(.unauthenticated, detail: AuthFailure.missingCredentials.message))
        #expect(problem.statusCode == 401)
      }
      try await client.execute(
        uri: "/api/v1/whoami", method: .get, headers: [.authorization: "Bearer \(wrong)"]
      ) { response in
        #expect(response.status == .unauthorized)
        let body = String(buffer: response.body)
        #expect(body.contains("urn:vra-engine:problem:unauthenticated"))
        #expect(body.contains(AuthFailure.unknownToken.message))
        #expect(!body.contains(wrong))
      }
    }
    let notices = harness.logs.entries.filter { $0.level == .notice && "\($0.message)" == "authentication failed" }
    #expect(notices.count == 2)
    #expect(notices.allSatisfy { $0.metadata["client"] == "127.0.0.1" })
    #expect(notices.map { $0.metadata["auth.reason"] } == ["missing_credentials", "unknown_token"])
    #expect(!harness.logText.contains(wrong) && !harness.logText.contains(harness.token))
    #expect(
      harness.metrics.total("vra_engine_serve_auth_failures_total", [("reason", "unknown_token")]) == 1
        && harness.metrics.total("vra_engine_serve_auth_failures_total", [("reason", "missing_credentials")]) == 1)
  }

  @Test("valid credentials reach the route with the identity set")
  func accepted() async throws {
    let harness = Harness()
    let prefix = String(APIToken.hashLine(of: harness.token).dropFirst("sha256:".count).prefix(8))
    try await harness.run { client in
      try await client.execute(
        uri: "/api/v1/whoami", method: .get, headers: [.authorization: "Bearer \(harness.token)"]
      ) { response in
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == "team-a api-token token:\(prefix)")
      }
    }
    #expect(!harness.logText.contains(harness.token))
  }

  @Test("repeated failures from one address are answered after the throttle's delay; a success resets it")
  func throttled() async throws {
    let harness = Harness()
    try await harness.run { client in
      func attempt(_ token: String, expect status: HTTPResponse.Status) async throws {
        try await client.execute(
          uri: "/api/v1/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]
        ) { response in #expect(response.status == status) }
      }
      for _ in 0..<7 { try await attempt("vre_guess", expect: .unauthorized) }
      #expect(harness.delays.withLock { $0 } == [.milliseconds(250), .milliseconds(500)])
      try await attempt(harness.token, expect: .ok)
      try await attempt("vre_guess", expect: .unauthorized)
      #expect(harness.delays.withLock { $0 } == [.milliseconds(250), .milliseconds(500)])
    }
    let delayed = harness.logs.entries.compactMap { $0.metadata["auth.delay_ms"] }
    #expect(delayed.map { "\($0)" } == ["0", "0", "0", "0", "0", "250", "500", "0"])
  }
}
