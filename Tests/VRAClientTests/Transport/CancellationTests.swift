import Foundation
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

extension TimingSensitive {
  @Suite("Cancellation")
  struct CancellationTests {
    // Real time: the bound is on how fast cancellation reaches an in-flight AsyncHTTPClient request.
    @Test("a call cancelled mid-flight ends as cancelled within 100 ms")
    func cancelMidFlight() async throws {
      try await ClientFixture.withFaultySimulator { harness in
        let client = try await ClientFixture.client(harness)
        _ = try await client.iaasProjects()
        try await harness.server.addFault(
          FaultRule(method: "GET", path: "/iaas/api/projects", delaySeconds: 10, times: 1))
        let task = Task { await vraError { _ = try await client.iaasProjects() } }
        // Wait until the simulator holds the request (the fault is counted before its delay).
        _ = try await harness.http.poll(timeout: .seconds(10), every: .milliseconds(5)) {
          await harness.server.stats().faultsInjected >= 1 ? true : nil
        }
        let (error, elapsed) = await measure {
          task.cancel()
          return await task.value
        }
        print("cancellation took \(elapsed)")
        #expect(error?.errorClass == .cancelled)
        #expect(error?.severity == .warning)
        #expect(elapsed < .milliseconds(100))
      }
    }

    // Real time: the retry wait is a real Task.sleep that cancellation must cut short.
    @Test("a call cancelled while waiting out a Retry-After ends at once")
    func cancelDuringBackoff() async throws {
      try await ClientFixture.withFaultySimulator { harness in
        let client = try await ClientFixture.client(
          harness, retry: RetryPolicy(maxAttempts: 3, totalBudget: .seconds(120), maxRetryAfter: .seconds(60)))
        _ = try await client.iaasProjects()
        try await harness.server.addFault(
          FaultRule(method: "GET", path: "/iaas/api/projects", status: 429, retryAfterSeconds: 30, times: 1))
        let task = Task { await vraError { _ = try await client.iaasProjects() } }
        _ = try await harness.http.poll(timeout: .seconds(10), every: .milliseconds(5)) {
          await harness.server.stats().count("GET /iaas/api/projects", status: 429) >= 1 ? true : nil
        }
        let (error, elapsed) = await measure {
          task.cancel()
          return await task.value
        }
        #expect(error?.errorClass == .cancelled)
        #expect(elapsed < .milliseconds(100))
      }
    }
  }
}
