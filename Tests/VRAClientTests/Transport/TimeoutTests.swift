import Credentials
import Foundation
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

extension TimingSensitive {
  @Suite("Per-attempt timeout and overall deadline")
  struct TimeoutTests {
    static func client(
      _ harness: SimulatorHarness, retry: RetryPolicy, attempt: Duration
    ) async throws -> VRAClient {
      // A fixed access token: no login or refresh call can be caught by the short attempt timeout
      // when the machine is busy; only the calls the test times are subject to it.
      let token = Secret(try await harness.http.login().access)
      var configuration = ClientFixture.configuration(harness, authentication: .accessToken(token), retry: retry)
      configuration.timeouts = Timeouts(attempt: attempt)
      let client = try VRAClient(configuration: configuration)
      _ = try await client.iaasProjects()  // a pooled connection, outside the timed part
      return client
    }

    // Real time: the attempt timeout is AsyncHTTPClient's deadline on a slow real answer.
    @Test("an answer slower than the attempt timeout ends the attempt as a timeout")
    func attemptTimeout() async throws {
      try await ClientFixture.withFaultySimulator { harness in
        let client = try await Self.client(harness, retry: .none, attempt: .milliseconds(300))
        try await harness.server.addFault(
          FaultRule(method: "GET", path: "/iaas/api/projects", delaySeconds: 3, times: 1))
        let (error, elapsed) = await measure { await vraError { _ = try await client.iaasProjects() } }
        print("attempt timeout 300 ms: \(String(describing: error)) after \(elapsed)")
        #expect(error?.errorClass == .timeout)
        #expect(error?.status == 0)
        #expect(error?.attempts == 1)
        #expect(error?.retryable == true, "a timed-out GET may be tried again")
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(2), "the 3 s answer was not waited for")
      }
    }

    // Real time: a real attempt timeout, then a real retry on the same connection pool.
    @Test("a timed-out attempt of a GET is retried, and the retry's answer returned")
    func attemptTimeoutIsRetried() async throws {
      try await ClientFixture.withFaultySimulator { harness in
        let client = try await Self.client(harness, retry: ClientFixture.fastRetry, attempt: .milliseconds(300))
        try await harness.server.addFault(
          FaultRule(method: "GET", path: "/iaas/api/projects", delaySeconds: 3, times: 1))
        let (result, elapsed) = try await measure { try await client.iaasProjects() }
        #expect(!result.content.isEmpty)
        #expect(await harness.server.stats().faultsInjected == 1)
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(2))
      }
    }

    // Real time: the call's budget runs on ContinuousClock across real attempts and backoff.
    @Test("the overall deadline ends a call whose every attempt is slow, as a timeout")
    func overallDeadline() async throws {
      try await ClientFixture.withFaultySimulator { harness in
        let retry = RetryPolicy(
          maxAttempts: 10, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100), totalBudget: .seconds(1))
        let client = try await Self.client(harness, retry: retry, attempt: .seconds(30))
        try await harness.server.addFault(FaultRule(method: "GET", path: "/iaas/api/projects", delaySeconds: 3))
        let (error, elapsed) = await measure { await vraError { _ = try await client.iaasProjects() } }
        print("overall deadline 1 s: \(String(describing: error)) after \(elapsed)")
        #expect(error?.errorClass == .timeout)
        #expect(error?.status == 0)
        #expect(elapsed >= .seconds(1))
        #expect(elapsed < .milliseconds(2500), "the deadline, not the 30 s attempt timeout, ended the call")
        await harness.server.clearFaults()
      }
    }
  }
}
