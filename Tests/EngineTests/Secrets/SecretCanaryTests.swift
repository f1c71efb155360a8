import Credentials
import Engine
import Foundation
import InMemoryLogging
import Logging
import Secrets
import Testing
import VRAClient

extension SecretsAgainstOpenBao {
  @Suite("Secret values never reach an error or a log line")
  struct SecretCanaryTests {
    static let canary = "Canary-Secret-5b7c0e42"

    @Test("a canary in Vault, env and file, and the credentials, appear in no error description or log output")
    func canary() async throws {
      let handler = InMemoryLogHandler()
      var logger = Logger(label: "canary") { _ in handler }
      logger.logLevel = .trace
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vra-canary-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: directory) }
      let file = directory.appendingPathComponent("pw")
      try "\(Self.canary)\n".write(to: file, atomically: true, encoding: .utf8)

      try await OpenBaoDevServer.with { server in
        try await server.writeSecret("vra", ["password": Self.canary, "user": "admin"])
        try await server.writeSecret("other", ["password": Self.canary])
        try await server.writePolicy("reader", readPaths: ["secret/data/vra"])
        let role = try await server.createAppRole("engine", policies: ["reader"])
        let token = try await server.createToken(policies: ["reader"], ttl: 300)
        var descriptions: [String] = []
        func record(_ error: any Error) {
          descriptions += [
            String(describing: error), String(reflecting: error), "\(error)", error.localizedDescription,
          ]
        }

        let appRoleResolver = SecretResolver(
          environment: server.environment([
            "VAULT_ROLE_ID": role.roleID, "VAULT_SECRET_ID": role.secretID, "PW": Self.canary,
          ]),
          logger: logger)
        let value = try await appRoleResolver.resolve("vault:secret/vra#password")
        #expect(value.exposed == Self.canary)
        descriptions += [String(describing: value), "\(value)", String(reflecting: value)]
        #expect(try await appRoleResolver.resolve("env:PW").exposed == Self.canary)
        #expect(try await appRoleResolver.resolve("file:\(file.path)").exposed == Self.canary)
        let data = try await appRoleResolver.vault().read(VaultSecretPath(mount: "secret", path: "vra"))
        descriptions += [String(describing: data), String(reflecting: data)]
        var dumped = ""
        dump(data, to: &dumped)
        descriptions.append(dumped)

        for reference in [
          "vault:secret/vra#nope", "vault:secret/other#password", "vault:secret/missing#password",
          "vault:nomount/vra#password", "vault:secret/vra", "env:MISSING",
        ] {
          do {
            _ = try await appRoleResolver.resolve(reference)
            Issue.record("\(reference) resolved")
          } catch {
            record(error)
          }
        }
        let tokenClient = try VaultClient(
          environment: server.environment(["VAULT_TOKEN": token]), logger: logger)
        do {
          _ = try await tokenClient.read(VaultSecretPath(mount: "secret", path: "other"))
        } catch {
          record(error)
        }
        let badRole = try VaultClient(
          environment: server.environment(["VAULT_ROLE_ID": role.roleID, "VAULT_SECRET_ID": Self.canary]),
          logger: logger)
        do {
          _ = try await badRole.read(VaultSecretPath(mount: "secret", path: "vra"))
        } catch {
          record(error)
        }

        let logs = handler.entries.map { "\($0.level) \($0.message) \($0.metadata) \(String(describing: $0.error))" }
        #expect(logs.contains { $0.contains("vault secret read") }, "the logs were captured")
        #expect(logs.contains { $0.contains("vault AppRole login") })
        #expect(descriptions.count > 20)
        let everything = (descriptions + logs).joined(separator: "\n")
        for needle in [Self.canary, role.secretID, role.roleID, token, server.rootToken] {
          #expect(!everything.contains(needle), "a secret leaked into an error or a log line")
        }
        #expect(everything.contains("its keys are: password, user"))
      }
    }
  }
}
