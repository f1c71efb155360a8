import Credentials
import Engine
import Foundation
import InMemoryLogging
import Logging
import Secrets
import TestSupport
import Testing
import VRAClient

extension SecretsAgainstOpenBao {
  /// Token renewal against a real OpenBao dev server, the client's schedule on a manual clock: the
  /// server's answers are real (renew-self, the max-TTL cap, lookups), the client's idea of time is
  /// the test's. Every transition of the schedule itself is in `CredentialLifecycleTests`.
  @Suite("Vault token renewal against OpenBao")
  struct VaultSecretRenewalTests {
    static let path = VaultSecretPath(mount: "secret", path: "vra")

    @Test("a token used past 2/3 of its TTL is renewed once per renewal time, not once per read")
    func renewedOnUse() async throws {
      try await VaultSecretTests.withSeededServer { server in
        let token = try await server.createToken(policies: ["reader"], ttl: 60)
        let clock = ManualContinuousClock()
        let client = try VaultClient(
          environment: server.environment(["VAULT_TOKEN": token]), clock: CredentialClock(clock))
        await client.shutdown()  // no idle timer: only reads may renew here
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        for round in 1...3 {
          clock.advance(by: .seconds(39))
          #expect(try await client.read(Self.path, key: "user").exposed == "admin")
          #expect(await client.statistics.renewals == round - 1, "not due before 40 s")
          clock.advance(by: .seconds(1))
          for _ in 0..<5 { #expect(try await client.read(Self.path, key: "user").exposed == "admin") }
          _ = try await pollForValue { await client.statistics.renewals == round ? true : nil }
        }
        #expect(await client.statistics.renewals == 3)
        let view = try await server.lookUp(token: token)
        #expect(view["last_renewal_time"] as? Int != nil, "the server saw the renewals: \(view)")
        let status = try await client.tokenStatus()
        #expect(status.lastRenewal != nil && status.creationTTL == 60)
      }
    }

    @Test("an idle client renews on its timer: two renewal times pass without a read, the server sees both renewals")
    func renewedWhileIdle() async throws {
      try await VaultSecretTests.withSeededServer { server in
        let token = try await server.createToken(policies: ["reader"], ttl: 60)
        let clock = ManualContinuousClock()
        let client = try VaultClient(
          environment: server.environment(["VAULT_TOKEN": token]), clock: CredentialClock(clock))
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        for round in 1...2 {
          clock.advance(by: .seconds(40))
          _ = try await pollForValue { await client.statistics.renewals == round ? true : nil }
          // The renewed lease arms the next timer (its renewal time is counted from the renewal).
          _ = try await pollForValue { clock.sleeperCount == 1 ? true : nil }
        }
        let view = try await server.lookUp(token: token)
        #expect(view["last_renewal_time"] as? Int != nil, "server view: \(view)")
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        #expect(await client.statistics.renewals == 2)
        await client.shutdown()
        #expect(clock.sleeperCount == 0, "shutdown disarms the timer")
      }
    }

    @Test("AppRole: when renewal is capped by the max TTL, the client logs in again")
    func appRoleReLogin() async throws {
      try await VaultSecretTests.withSeededServer { server in
        // Real time (about a second): OpenBao caps a renewal by the token's age on its own clock.
        let role = try await server.createAppRole("short", policies: ["reader"], tokenTTL: 60, tokenMaxTTL: 60)
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "renewal") { _ in handler }
        logger.logLevel = .debug
        let clock = ManualContinuousClock()
        let client = try VaultClient(
          environment: server.environment(["VAULT_ROLE_ID": role.roleID, "VAULT_SECRET_ID": role.secretID]),
          logger: logger, clock: CredentialClock(clock))
        await client.shutdown()  // renewals only when a read finds them due
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        // Renew at every renewal time until the server grants less than 60 s (its max TTL counted
        // from the login) and the client answers with a new login.
        _ = try await pollForValue(timeout: .seconds(20), every: .milliseconds(200)) { () async throws -> Bool? in
          clock.advance(by: .seconds(40))
          #expect(try await client.read(Self.path, key: "user").exposed == "admin")
          return await client.statistics.logins >= 2 ? true : nil
        }
        let statistics = await client.statistics
        #expect(statistics.renewals >= 1, "\(statistics)")
        // The cap is seen in the renewal's answer: the client logs in before the server refuses to renew.
        let messages = handler.entries.map { "\($0.message)" }
        #expect(messages.contains("vault token renewal capped by its max TTL; logging in again"))
        #expect(!messages.contains { $0.contains("refused") || $0.contains("failed") }, "\(messages)")
      }
    }

    @Test("a token that is not renewable is used as is, never renewed; once expired it is looked up again")
    func notRenewable() async throws {
      try await VaultSecretTests.withSeededServer { server in
        let token = try await server.createToken(policies: ["reader"], ttl: 600, renewable: false)
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "renewal") { _ in handler }
        logger.logLevel = .debug
        let clock = ManualContinuousClock()
        let client = try VaultClient(
          environment: server.environment(["VAULT_TOKEN": token]), logger: logger, clock: CredentialClock(clock))
        func lookUps() -> Int { handler.entries.filter { "\($0.message)" == "vault token looked up" }.count }
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        #expect(try await client.tokenStatus().renewable == false)
        #expect(clock.sleeperCount == 0, "no renewal timer")
        clock.advance(by: .seconds(590))  // the lookup said 599 or 600 s left
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        #expect(await client.statistics.renewals == 0 && lookUps() == 1)
        // Expired for the client (the server, on real time, still has it): the client looks it up again.
        clock.advance(by: .seconds(10))
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        #expect(await client.statistics.renewals == 0 && lookUps() == 2)
      }
    }
  }
}
