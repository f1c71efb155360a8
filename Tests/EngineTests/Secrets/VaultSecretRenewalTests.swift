import Engine
import Foundation
import InMemoryLogging
import Logging
import Secrets
import Testing
import VRAClient

extension SecretsAgainstOpenBao {
  /// Token renewal against a real OpenBao dev server, with TTLs of a few seconds. The waits are
  /// the point (the token must outlive its TTL); every assertion is about what the server says.
  @Suite("Vault token renewal against OpenBao")
  struct VaultSecretRenewalTests {
    static let path = VaultSecretPath(mount: "secret", path: "vra")

    @Test("a 3 s token used across more than 2 × TTL keeps working: renewed at ~2/3 of its TTL")
    func renewedOnUse() async throws {
      try await VaultSecretTests.withSeededServer { server in
        let token = try await server.createToken(policies: ["reader"], ttl: 3)
        let client = try VaultClient(environment: server.environment(["VAULT_TOKEN": token]))
        let started = ContinuousClock.now
        var reads = 0
        while ContinuousClock.now - started < .seconds(7) {
          // Without renewal the token dies at 3 s and this throws tokenInvalid.
          #expect(try await client.read(Self.path, key: "user").exposed == "admin")
          reads += 1
          // Paced reads are the behaviour under test: use spread over more than two token lifetimes.
          try await Task.sleep(for: .milliseconds(400))
        }
        #expect(reads >= 10)
        let renewals = await client.statistics.renewals
        // Every ~2 s over 7 s: about 3, and not once per read.
        #expect((2...5).contains(renewals), "renewals: \(renewals)")
        let view = try await server.lookUp(token: token)
        // Still being renewed at the end: the last renewal is well after the token's creation.
        let created = try #require(view["creation_time"] as? Int, "server view: \(view)")
        let renewed = try #require(view["last_renewal_time"] as? Int, "server view: \(view)")
        #expect(renewed - created >= 4, "server view: \(view)")
        let status = try await client.tokenStatus()
        #expect(status.lastRenewal != nil && status.creationTTL == 3)
      }
    }

    @Test("an idle client renews in the background: the token is alive after 2 × TTL without reads")
    func renewedWhileIdle() async throws {
      try await VaultSecretTests.withSeededServer { server in
        let token = try await server.createToken(policies: ["reader"], ttl: 3)
        let client = try VaultClient(environment: server.environment(["VAULT_TOKEN": token]))
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        let started = ContinuousClock.now
        var lastRenewals: Set<Int> = []
        // Poll the server's view (as root) until two renewals were seen and more than two token
        // lifetimes (6 s) have passed idle, with a deadline; the token must never lapse meanwhile.
        let deadline = started + .seconds(20)
        while ContinuousClock.now - started < .seconds(7) || lastRenewals.count < 2 {
          try #require(ContinuousClock.now < deadline, "renewal times seen: \(lastRenewals.sorted())")
          let view = try await server.lookUp(token: token)
          if let time = view["last_renewal_time"] as? Int { lastRenewals.insert(time) }
          try await Task.sleep(for: .milliseconds(250))
        }
        #expect(lastRenewals.count >= 2, "renewal times seen: \(lastRenewals.sorted())")
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        #expect(await client.statistics.renewals >= 3)
      }
    }

    @Test("AppRole: when renewal is capped by the max TTL, the client logs in again")
    func appRoleReLogin() async throws {
      try await VaultSecretTests.withSeededServer { server in
        let role = try await server.createAppRole("short", policies: ["reader"], tokenTTL: 3, tokenMaxTTL: 6)
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "renewal") { _ in handler }
        logger.logLevel = .debug
        let client = try VaultClient(
          environment: server.environment(["VAULT_ROLE_ID": role.roleID, "VAULT_SECRET_ID": role.secretID]),
          logger: logger)
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(9) {
          #expect(try await client.read(Self.path, key: "user").exposed == "admin")
          // Paced reads are the behaviour under test: use that outlasts the 6 s max TTL.
          try await Task.sleep(for: .milliseconds(400))
        }
        let statistics = await client.statistics
        #expect(statistics.renewals >= 1, "\(statistics)")
        #expect(statistics.logins >= 2, "\(statistics)")
        // The cap is seen in the renewal's answer: the client logs in before the server refuses to renew.
        let messages = handler.entries.map { "\($0.message)" }
        #expect(messages.contains("vault token renewal capped by its max TTL; logging in again"))
        #expect(!messages.contains { $0.contains("refused") || $0.contains("failed") }, "\(messages)")
      }
    }

    @Test("a token that is not renewable is used as is, never renewed")
    func notRenewable() async throws {
      try await VaultSecretTests.withSeededServer { server in
        let token = try await server.createToken(policies: ["reader"], ttl: 60, renewable: false)
        let client = try VaultClient(environment: server.environment(["VAULT_TOKEN": token]))
        #expect(try await client.read(Self.path, key: "user").exposed == "admin")
        #expect(try await client.tokenStatus().renewable == false)
        #expect(await client.statistics.renewals == 0)
      }
    }
  }
}
