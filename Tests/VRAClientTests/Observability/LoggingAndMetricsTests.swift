import Credentials
import Foundation
import InMemoryLogging
import InMemoryTracing
import Logging
import MetricsTestKit
import TestSupport
import Testing
import Tracing
import VRAClient
import VRAModels
import VRASimulator

@Suite("One log line, metrics and a span per call")
struct LoggingAndMetricsTests {
  @Test("a retried call logs one info line with attempts, status, duration and the error class of failures")
  func oneLinePerCall() async throws {
    let handler = InMemoryLogHandler()
    var logger = Logger(label: "calls") { _ in handler }
    logger.logLevel = .info
    let metrics = TestMetrics()
    let tracer = InMemoryTracer()
    try await ClientFixture.withFaultySimulator { harness in
      let token = try await ClientFixture.refreshToken(harness)
      var configuration = ClientFixture.configuration(harness, authentication: .refreshToken(token), logger: logger)
      configuration.metricsFactory = metrics
      configuration.tracer = tracer
      let client = try VRAClient(configuration: configuration)
      try await harness.server.addFault(FaultRule(method: "GET", path: "/iaas/api/projects", status: 503, times: 1))
      _ = try await client.iaasProjects()
      _ = await vraError { _ = try await client.deployment(id: "no-such-deployment") }

      let calls = handler.entries.filter { "\($0.message)" == "vRA call" }
      // Filtered outside `#require`: its expansion mis-evaluates comparisons inside closures.
      let projectCalls = calls.filter { text($0, "http.path") == "/iaas/api/projects" }
      let projectCall = try #require(projectCalls.first)
      #expect(projectCall.level == .info)
      #expect(text(projectCall, "http.status") == "200")
      #expect(text(projectCall, "retry.attempt") == "2")
      #expect(text(projectCall, "http.duration_ms") != nil)
      #expect(handler.entries.filter { text($0, "http.path") == "/iaas/api/projects" }.count == 1)

      let failures = handler.entries.filter { "\($0.message)" == "vRA call failed" }
      let failed = try #require(failures.first)
      #expect(text(failed, "error.class") == "not_found")
      #expect(failed.level == .info, "a 404 is the caller's to judge, not a warning")
      #expect(text(failed, "http.status") == "404")
      #expect(text(failed, "http.path") == "/deployment/api/deployments/no-such-deployment")

      #expect(metrics.counterTotal(label: "vra_http_requests_total") >= 3)
      #expect(metrics.counterTotal(label: "vra_http_retries_total") == 1)
      #expect(metrics.counterTotal(label: "vra_token_refreshes_total") == 1)
      let spans = tracer.finishedSpans.map(\.operationName)
      #expect(spans.contains("vRA GET /iaas/api/projects"))
      #expect(spans.contains("vRA GET /deployment/api/deployments/{id}"))
    }
  }

  /// A call that needed a token the login could not get: one line, the login's, under its own path
  /// and at info (the caller gets the error and reports it; a warning or error here would say it twice).
  @Test("a failed login is one info line under the login's path, not a second under the call's")
  func failedLoginIsLoggedOnce() async throws {
    let handler = InMemoryLogHandler()
    var logger = Logger(label: "calls") { _ in handler }
    logger.logLevel = .trace
    try await SimulatorHarness.with { harness in
      let client = try VRAClient(
        configuration: ClientFixture.configuration(
          harness, authentication: .password(username: "admin", password: Secret("wrong"), domain: "vsphere.local"),
          logger: logger))
      let error = await vraError { _ = try await client.projects().collect() }
      #expect(error?.errorClass == .unauthorized)
      let failures = handler.entries.filter { "\($0.message)" == "vRA call failed" }
      #expect(failures.count == 1, "\(failures)")
      let failed = try #require(failures.first)
      #expect(text(failed, "http.path") == "/csp/gateway/am/api/login")
      #expect(failed.level == .info)
      #expect(text(failed, "error.severity") == "critical", "how bad it is stays in the line")
      #expect(
        !handler.entries.contains { text($0, "http.path") == "/project-service/api/projects" && $0.level > .debug })
    }
  }

  @Test("User-Agent names vra-engine and its version; apiVersion is pinned per API family")
  func headersAndAPIVersion() async throws {
    try await SimulatorHarness.with { harness in
      let client = try await ClientFixture.client(harness)
      _ = try await client.iaasProjects()
      _ = try await client.deploymentsPage()
      let calls = await harness.server.recentCalls()
      let iaasCalls = calls.filter { $0.path == "/iaas/api/projects" }
      let deploymentCalls = calls.filter { $0.path == "/deployment/api/deployments" }
      let iaas = try #require(iaasCalls.last)
      let deployments = try #require(deploymentCalls.last)
      #expect(iaas.userAgent == "vra-engine/\(VRAEngineVersion.current)")
      #expect(iaas.query.contains("apiVersion=2021-07-15"))
      #expect(deployments.query.contains("apiVersion=2020-08-25"))
    }
  }

  @Test("the active trace context is injected into each attempt's headers")
  func traceContextInjected() async throws {
    // InMemoryTracer propagates its own keys; a W3C tracer (swift-otel) writes `traceparent`
    // through the same `inject` call.
    let tracer = InMemoryTracer()
    try await SimulatorHarness.with { harness in
      let token = try await ClientFixture.refreshToken(harness)
      var configuration = ClientFixture.configuration(harness, authentication: .refreshToken(token))
      configuration.tracer = tracer
      let client = try VRAClient(configuration: configuration)
      _ = try await client.iaasProjects()
      let injections = tracer.performedContextInjections
      let spans = tracer.finishedSpans.filter { $0.operationName == "vRA GET /iaas/api/projects" }
      let call = try #require(spans.first)
      #expect(injections.contains { $0.values[InMemoryTracer.traceIDKey] == call.spanContext.traceID })
    }
  }

  @Test("vRA's x-request-id reaches the call's log line, each attempt's line and the error")
  func requestIdIsLogged() async throws {
    let handler = InMemoryLogHandler()
    var logger = Logger(label: "request-ids") { _ in handler }
    logger.logLevel = .debug
    try await ClientFixture.withFaultySimulator { harness in
      // The simulator answers every call, error or not, with an id of its own.
      let about = try await harness.http.call(.GET, "/iaas/api/about")
      let refused = try await harness.http.call(.GET, "/iaas/api/projects", checkFidelity: false)
      #expect(refused.status == 401)
      let uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/
      #expect(about.header("x-request-id").flatMap { try? uuid.wholeMatch(in: $0) } != nil)
      #expect(refused.header("x-request-id").flatMap { try? uuid.wholeMatch(in: $0) } != nil)
      #expect(about.header("x-request-id") != refused.header("x-request-id"))

      let client = try await ClientFixture.client(harness, logger: logger)
      try await harness.server.addFault(FaultRule(method: "GET", path: "/iaas/api/projects", status: 503, times: 1))
      _ = try await client.iaasProjects()
      let error = await vraError { _ = try await client.deployment(id: "no-such-deployment") }

      let projectEntries = handler.entries.filter { text($0, "http.path") == "/iaas/api/projects" }
      let attempts = projectEntries.filter { "\($0.message)" == "vRA attempt" }
      let calls = projectEntries.filter { "\($0.message)" == "vRA call" }
      #expect(attempts.count == 2)
      let attemptIds = attempts.compactMap { text($0, "vra.request_id") }
      #expect(attemptIds.count == 2)
      #expect(Set(attemptIds).count == 2, "each attempt is its own vRA request")
      #expect(attemptIds.allSatisfy { (try? uuid.wholeMatch(in: $0)) != nil })
      let call = try #require(calls.first)
      #expect(text(call, "vra.request_id") == attemptIds.last, "the call line names the attempt that answered")

      let failures = handler.entries.filter { "\($0.message)" == "vRA call failed" }
      let failed = try #require(failures.first)
      let failedId = try #require(text(failed, "vra.request_id"))
      #expect((try? uuid.wholeMatch(in: failedId)) != nil)
      #expect(error?.requestId == failedId)
      #expect(error?.description.contains(failedId) == true)
    }
  }

  @Test("with a W3C tracer, the simulator receives a traceparent naming the call's span")
  func w3cTraceparentReachesTheServer() async throws {
    let tracer = W3CTestTracer()
    try await ClientFixture.withFaultySimulator { harness in
      let token = try await ClientFixture.refreshToken(harness)
      var configuration = ClientFixture.configuration(harness, authentication: .refreshToken(token))
      configuration.tracer = tracer
      let client = try VRAClient(configuration: configuration)
      // Two attempts (503, then 200): each attempt carries the call's context.
      try await harness.server.addFault(FaultRule(method: "GET", path: "/iaas/api/projects", status: 503, times: 1))
      let before = await harness.server.stats().traceparentHeaders
      _ = try await client.iaasProjects()

      let spans = tracer.recorder.finishedSpans.filter { $0.operationName == "vRA GET /iaas/api/projects" }
      let span = try #require(spans.first)
      let received = await harness.server.recentCalls().filter { $0.path == "/iaas/api/projects" }
      #expect(received.count == 2)
      let pattern = /00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/
      for call in received {
        let header = try #require(call.traceparent, "the attempt answered \(call.status) arrived without traceparent")
        let match = try #require(try pattern.wholeMatch(in: header), "not a W3C traceparent: \(header)")
        #expect(String(match.output.1) == span.traceID)
        #expect(String(match.output.2) == span.spanID)
      }
      // The token exchange is a call of its own, with its own span and header.
      #expect(await harness.server.stats().traceparentHeaders - before >= 3)
    }
  }
}

/// A metadata value as text (`MetadataValue` compares by case, not by what it prints).
private func text(_ entry: InMemoryLogHandler.Entry, _ key: String) -> String? {
  entry.metadata[key].map { "\($0)" }
}
