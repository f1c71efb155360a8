import Credentials
import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAClient

/// The client's tokens against the simulator: the wiring of `TokenCache` to the providers, the
/// 401 replay and the registry. The schedule runs on a manual clock where it matters
/// (`CredentialLifecycleTests` has every transition); nothing here waits for a token to age.
@Suite("Token lifecycle against the simulator")
struct TokenRefreshTests {
  @Test("8 callers across 250 s of a manual clock with 100 s tokens: no failure, one refresh every 80–82 s")
  func proactiveSingleFlightRefresh() async throws {
    // The simulator's tokens live 100 s of real time: the manual clock only ages them for the client.
    try await SimulatorHarness.with({ $0.tokens.accessTokenLifetime = 100 }) { harness in
      let clock = ManualContinuousClock()
      let token = try await ClientFixture.refreshToken(harness)
      let client = try VRAClient(
        configuration: ClientFixture.configuration(harness, authentication: .refreshToken(token)),
        httpClient: SharedHTTPClient.instance, tokenClock: CredentialClock(clock))
      let tokens = client.executor.tokens
      let before = await harness.server.stats().tokenRefreshes
      let failures = SharedCounter()
      let calls = SharedCounter()
      let stopped = SharedCounter()
      let start = clock.now
      _ = try await client.iaasProjects()  // the first token, at 0 s
      var refreshedAt: [Duration] = [.zero]
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<8 {
          group.addTask {
            while stopped.value == 0 {
              do {
                _ = try await client.iaasProjects()
                calls.increment()
              } catch {
                failures.increment()
              }
            }
          }
        }
        var refreshes = 1
        for _ in 0..<125 {
          clock.advance(by: .seconds(2))
          // Every 2 s of the clock: callers use the token at that time (of 16 calls ending now, at
          // most 8 were under way before the clock moved), and a refresh it started has ended
          // before the clock moves on.
          let target = calls.value + 16
          _ = try await pollForValue(every: .milliseconds(1)) {
            let refreshing = await tokens.isRefreshing
            return calls.value >= target && !refreshing ? true : nil
          }
          let count = await tokens.refreshCount
          if count > refreshes {
            refreshes = count
            refreshedAt.append(start.duration(to: clock.now))
          }
        }
        stopped.increment()
        try await group.waitForAll()
      }
      let refreshes = await harness.server.stats().tokenRefreshes - before
      #expect(failures.value == 0)
      #expect(refreshes == (await client.tokenRefreshCount), "single flight: the server saw every refresh once")
      // One refresh per 80 % of a 100–101 s lifetime (the JWT's `exp` is rounded up to whole
      // seconds), at the first 2 s step of the clock after it is due.
      let gaps = zip(refreshedAt.dropFirst(), refreshedAt).map { $0 - $1 }
      #expect(gaps.count == 3 && gaps.allSatisfy { $0 == .seconds(80) || $0 == .seconds(82) }, "\(refreshedAt)")
    }
  }

  @Test("a call cancelled while waiting for a token ends before the login answers, as cancelled")
  func cancelWhileWaitingForToken() async throws {
    try await ClientFixture.withFaultySimulator { harness in
      let client = try await ClientFixture.client(harness)
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/iaas/api/login", delaySeconds: 5, times: 1))
      let task = Task { await vraError { _ = try await client.iaasProjects() } }
      _ = try await harness.http.poll(timeout: .seconds(10), every: .milliseconds(5)) {
        await harness.server.stats().faultsInjected >= 1 ? true : nil
      }
      task.cancel()
      let error = await task.value
      #expect(error?.errorClass == .cancelled)
      // Nothing but the cancellation ended it: the login is still held by the fault.
      #expect(await harness.server.stats().count("POST /iaas/api/login", status: 200) == 0)
      #expect(await client.tokenRefreshCount == 1)
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
