import AsyncHTTPClient
import Foundation
import TestSupport
import Testing
import VRAModels

@testable import VRAClient

/// The lifetime logic behind `SharedHTTPClient.shutdown()`, on a client of its own: shutting
/// down the process's shared client here would break every other test running alongside.
@Suite("HTTP client shutdown")
struct HTTPClientLifetimeTests {
  static func makeLifetime(_ made: SharedCounter) -> HTTPClientLifetime {
    HTTPClientLifetime {
      made.increment()
      return HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: SharedHTTPClient.makeConfiguration())
    }
  }

  @Test("shutdown is idempotent and concurrent-safe; later calls fail at once as transport errors")
  func shutdownOnce() async throws {
    try await SimulatorHarness.with { harness in
      let made = SharedCounter()
      let lifetime = Self.makeLifetime(made)
      let client: VRAClient
      do {
        let token = try await ClientFixture.refreshToken(harness)
        client = try VRAClient(
          configuration: ClientFixture.configuration(harness, authentication: .refreshToken(token)),
          httpClient: lifetime.client)
        #expect(try await !client.iaasProjects().content.isEmpty)
        #expect(!lifetime.isShutDown)
      } catch {
        await lifetime.shutdown()  // an HTTPClient must be shut down before it is released
        throw error
      }

      await withTaskGroup(of: Void.self) { group in
        for _ in 0..<5 { group.addTask { await lifetime.shutdown() } }
      }
      #expect(lifetime.isShutDown)
      await lifetime.shutdown()  // once more, after the fact: returns, does nothing
      #expect(lifetime.isShutDown)
      #expect(made.value == 1, "the client is made once and never re-made after its shutdown")

      let before = await harness.server.stats().totalRequests
      let (error, elapsed) = await measure { await vraError { _ = try await client.deploymentsPage() } }
      #expect(error?.errorClass == .transport)
      #expect(error?.message.contains("shut down") == true)
      #expect(error?.attempts == 1, "a shut-down client is not retried")
      #expect(elapsed < .seconds(1))
      #expect(await harness.server.stats().totalRequests == before)
      #expect(made.value == 1)
    }
  }

  @Test("shutting down a client that was never used makes none")
  func unusedShutdown() async {
    let made = SharedCounter()
    let lifetime = Self.makeLifetime(made)
    await lifetime.shutdown()
    await lifetime.shutdown()
    #expect(made.value == 0)
    #expect(!lifetime.isShutDown)
  }
}
