import Credentials
import Foundation
import Synchronization
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

extension TimingSensitive {
  @Suite("Token lifecycle against the simulator")
  struct TokenRefreshTests {
    @Test("50 tasks for 20 s with 2 s tokens: no failure, refreshes ≈ elapsed / (0.8 × lifetime)")
    func proactiveSingleFlightRefresh() async throws {
      try await SimulatorHarness.with({ $0.tokens.accessTokenLifetime = 2 }) { harness in
        let client = try await ClientFixture.client(harness)
        let before = await harness.server.stats().tokenRefreshes
        let duration: Duration = .seconds(20)
        let failures = SharedCounter()
        let calls = SharedCounter()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
          for _ in 0..<50 {
            group.addTask {
              while ContinuousClock.now - start < duration {
                do {
                  _ = try await client.iaasProjects()
                  calls.increment()
                } catch {
                  failures.increment()
                }
              }
            }
          }
          try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let refreshes = await harness.server.stats().tokenRefreshes - before
        let expected = (Double(elapsed.components.seconds) / (0.8 * 2))
        print(
          "refresh test: \(calls.value) calls in \(elapsed), \(refreshes) refreshes "
            + "(elapsed / (0.8 × lifetime) = \(expected)), client counted \(await client.tokenRefreshCount)")
        #expect(failures.value == 0)
        #expect(calls.value > 500)
        // The simulator rounds JWT `exp` up to whole seconds, so a 2 s token lives 2–3 s: the
        // client refreshes every 0.8 × 2…3 s, between elapsed / 2.4 and elapsed / 1.6 times (±1 for
        // the ends of the run), and nowhere near one refresh per caller or per call.
        let seconds = Double(elapsed.components.seconds)
        #expect(Double(refreshes) >= seconds / (0.8 * 3) - 1)
        #expect(Double(refreshes) <= expected * 1.3 + 1)
      }
    }

    @Test("a 401 causes one refresh and one replay")
    func unauthorizedIsReplayedOnce() async throws {
      try await ClientFixture.withFaultySimulator { harness in
        let client = try await ClientFixture.client(harness)
        _ = try await client.iaasProjects()  // the first token
        let before = await harness.server.stats()
        try await harness.server.addFault(FaultRule(method: "GET", path: "/iaas/api/projects", status: 401, times: 1))
        let result = try await client.iaasProjects()
        let after = await harness.server.stats()
        #expect(!result.content.isEmpty)
        #expect(after.tokenRefreshes - before.tokenRefreshes == 1)
        #expect(after.count("GET /iaas/api/projects") - before.count("GET /iaas/api/projects") == 2)
      }
    }

    @Test("a second 401 in a row is an auth error with a hint, after exactly one refresh")
    func secondUnauthorizedFails() async throws {
      try await ClientFixture.withFaultySimulator { harness in
        let client = try await ClientFixture.client(harness)
        _ = try await client.iaasProjects()
        let before = await harness.server.stats().tokenRefreshes
        try await harness.server.addFault(FaultRule(method: "GET", path: "/iaas/api/projects", status: 401, times: 2))
        let error = await vraError { _ = try await client.iaasProjects() }
        #expect(error?.errorClass == .unauthorized)
        #expect(error?.status == 401)
        #expect(error?.attempts == 2)
        #expect(error?.hint?.contains("refresh token") == true)
        #expect(error?.severity == .critical)
        #expect(await harness.server.stats().tokenRefreshes - before == 1)
      }
    }

    @Test("a revoked refresh token is an auth error naming the cause")
    func revokedRefreshToken() async throws {
      try await ClientFixture.withFaultySimulator { harness in
        let token = try await ClientFixture.refreshToken(harness)
        let client = try VRAClient(
          configuration: ClientFixture.configuration(harness, authentication: .refreshToken(token)))
        _ = try await client.iaasProjects()
        #expect(await harness.server.revoke(refreshToken: token.exposed))
        // The access token still works; vRA refusing it forces the refresh that must fail.
        try await harness.server.addFault(FaultRule(method: "GET", path: "/iaas/api/projects", status: 401, times: 1))
        let error = await vraError { _ = try await client.iaasProjects() }
        #expect(error?.errorClass == .unauthorized)
        #expect(error?.path == "/iaas/api/login")
        #expect(error?.message.contains("revoked") == true)
        #expect(error?.hint?.contains("expired, revoked, or belongs to another organization") == true)
        #expect(error.map { !$0.description.contains(token.exposed) } == true)
      }
    }

    @Test("password login, CSP API token and a fixed access token all authenticate")
    func otherProviders() async throws {
      try await SimulatorHarness.with { harness in
        let password = try VRAClient(
          configuration: ClientFixture.configuration(
            harness, authentication: .password(username: "admin", password: "VMware1!", domain: "vsphere.local")))
        #expect(try await !password.iaasProjects().content.isEmpty)
        #expect(await harness.server.stats().passwordLogins == 1)

        let apiToken = try await ClientFixture.refreshToken(harness)
        let csp = try VRAClient(
          configuration: ClientFixture.configuration(
            harness, authentication: .apiToken(apiToken, identityURL: URL(string: harness.server.baseURL))))
        #expect(try await !csp.iaasProjects().content.isEmpty)

        let access = try await harness.http.login().access
        let fixed = try VRAClient(
          configuration: ClientFixture.configuration(harness, authentication: .accessToken(Secret(access))))
        #expect(try await !fixed.iaasProjects().content.isEmpty)
      }
    }

    @Test("a fixed access token that vRA refuses is not refreshed")
    func fixedTokenIsNotRefreshed() async throws {
      try await SimulatorHarness.with { harness in
        let fixed = try VRAClient(
          configuration: ClientFixture.configuration(harness, authentication: .accessToken("not-a-valid-token")))
        let before = await harness.server.stats().tokenRefreshes
        let error = await vraError { _ = try await fixed.iaasProjects() }
        #expect(error?.errorClass == .unauthorized)
        #expect(error?.attempts == 1)
        #expect(await harness.server.stats().tokenRefreshes == before)
      }
    }

    @Test("clients of the same endpoint, org and principal share one token")
    func sharedTokenCache() async throws {
      try await SimulatorHarness.with { harness in
        let token = try await ClientFixture.refreshToken(harness)
        let configuration = ClientFixture.configuration(harness, authentication: .refreshToken(token))
        let first = try VRAClient(configuration: configuration)
        let second = try VRAClient(configuration: configuration)
        async let a = first.iaasProjects()
        async let b = second.iaasProjects()
        _ = try await (a, b)
        #expect(await harness.server.stats().tokenRefreshes == 1)
      }
    }
  }
}
