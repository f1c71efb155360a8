import Foundation
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

@Suite("Retries against the simulator")
struct RetryTests {
  @Test("429 with Retry-After: 1 is waited out, then succeeds")
  func rateLimitIsWaitedOut() async throws {
    try await ClientFixture.withFaultySimulator { harness in
      let client = try await ClientFixture.client(harness)
      _ = try await client.iaasProjects()
      try await harness.server.addFault(
        FaultRule(method: "GET", path: "/iaas/api/projects", status: 429, retryAfterSeconds: 1, times: 1))
      let (result, elapsed) = try await measure { try await client.iaasProjects() }
      print("429 Retry-After 1: succeeded after \(elapsed)")
      #expect(!result.content.isEmpty)
      #expect(elapsed >= .seconds(1))
      #expect(elapsed < .seconds(6), "waited the 1 s it was told (bound loose: a loaded 2-core machine)")
      #expect(await harness.server.stats().count("GET /iaas/api/projects", status: 429) == 1)
    }
  }

  @Test("a Retry-After beyond the policy's limit fails at once as rate limited")
  func excessiveRetryAfterFails() async throws {
    try await ClientFixture.withFaultySimulator { harness in
      var retry = ClientFixture.fastRetry
      retry.maxRetryAfter = .seconds(5)
      let client = try await ClientFixture.client(harness, retry: retry)
      try await harness.server.addFault(
        FaultRule(method: "GET", path: "/iaas/api/projects", status: 429, retryAfterSeconds: 120, times: 1))
      let (error, elapsed) = await measure { await vraError { _ = try await client.iaasProjects() } }
      #expect(error?.errorClass == .rateLimited(retryAfter: .seconds(120)))
      // Not even the policy's 5 s cap was waited (bound loose: 2.6 s was seen under load).
      #expect(elapsed < .milliseconds(4500))
    }
  }

  @Test("5xx with SHOULD_RETRY is retried up to the cap, then a server error counting every attempt")
  func shouldRetryIsCapped() async throws {
    try await ClientFixture.withFaultySimulator { harness in
      let client = try await ClientFixture.client(harness)
      _ = try await client.iaasProjects()
      try await harness.server.addFault(
        FaultRule(method: "GET", path: "/iaas/api/projects", status: 500, shouldRetry: true))
      let (error, elapsed) = await measure { await vraError { _ = try await client.iaasProjects() } }
      let failed = await harness.server.stats().count("GET /iaas/api/projects", status: 500)
      print("SHOULD_RETRY cap: \(error?.attempts ?? 0) attempts in \(elapsed)")
      #expect(error?.errorClass == .server)
      #expect(error?.status == 500)
      #expect(error?.attempts == ClientFixture.fastRetry.maxAttempts)
      #expect(error?.retryable == true)
      #expect(error?.serverErrorId != nil)
      #expect(failed == ClientFixture.fastRetry.maxAttempts)
    }
  }

  @Test("a 500 without SHOULD_RETRY is not retried")
  func plainServerErrorIsNotRetried() async throws {
    try await ClientFixture.withFaultySimulator { harness in
      let client = try await ClientFixture.client(harness)
      try await harness.server.addFault(
        FaultRule(method: "GET", path: "/iaas/api/projects", status: 500, shouldRetry: false, times: 1))
      let error = await vraError { _ = try await client.iaasProjects() }
      #expect(error?.errorClass == .server)
      #expect(error?.attempts == 1)
    }
  }

  @Test("503 on a GET is retried until it succeeds")
  func unavailableIsRetried() async throws {
    try await ClientFixture.withFaultySimulator { harness in
      let client = try await ClientFixture.client(harness)
      try await harness.server.addFault(FaultRule(method: "GET", path: "/iaas/api/projects", status: 503, times: 2))
      #expect(try await !client.iaasProjects().content.isEmpty)
      #expect(await harness.server.stats().count("GET /iaas/api/projects", status: 503) == 2)
    }
  }

  @Test("a validation failure is never retried and carries vRA's messages")
  func validationIsNotRetried() async throws {
    try await SimulatorHarness.with { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      let bad = BlueprintRequest(
        content: ClientFixture.template, deploymentName: "bad-inputs", projectId: projectId,
        inputs: ["size": .int(3), "unknownInput": .string("x")])
      let error = await vraError { _ = try await client.createBlueprintRequest(bad) }
      guard case .validation(let messages)? = error?.errorClass else {
        Issue.record("expected a validation error, got \(String(describing: error))")
        return
      }
      #expect(!messages.isEmpty)
      #expect(error?.retryable == false)
      #expect(error?.attempts == 1)
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
    }
  }

  @Test("a refused connection is a transport error after the retries, with a hint")
  func connectionRefused() async throws {
    // A port that was just bound and released: nothing listens there.
    let harness = try await SimulatorHarness.start()
    let url = harness.server.baseURL
    await harness.stop()
    let client = try VRAClient(
      configuration: VRAClientConfiguration(
        endpoint: URL(string: url)!, authentication: .accessToken("unused-token"), retry: ClientFixture.fastRetry,
        logger: ClientFixture.quietLogger))
    let error = await vraError { _ = try await client.iaasProjects() }
    print("connection refused: \(String(describing: error))")
    #expect(error?.errorClass == .transport)
    #expect(error?.attempts == ClientFixture.fastRetry.maxAttempts)
    #expect(error?.hint != nil)
  }
}
