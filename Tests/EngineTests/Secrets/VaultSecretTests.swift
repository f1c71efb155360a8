import Engine
import Foundation
import Secrets
import Testing
import VRAClient

extension SecretsAgainstOpenBao {
  /// Against a real OpenBao dev server (see `OpenBaoDevServer`), one test at a time with the other
  /// OpenBao suites.
  @Suite("Vault client against OpenBao")
  struct VaultSecretTests {
    static let password = "Canary-Vault-9d2e71"

    /// A server with `secret/vra` = {password, user, port: 8443} and a `reader` policy on it.
    static func withSeededServer<T>(_ body: (OpenBaoDevServer) async throws -> T) async throws -> T {
      try await OpenBaoDevServer.with { server in
        try await server.writeSecret(
          "vra",
          [
            "password": password, "user": "admin", "port": 8443, "tls": true,
            "extra": ["zone": "a/b", "n": 1.5] as [String: any Sendable],
          ])
        try await server.writeSecret("other", ["password": "not-for-readers"])
        try await server.writePolicy("reader", readPaths: ["secret/data/vra"])
        return try await body(server)
      }
    }

    @Test("token auth: a token with a read policy resolves vault: references in both path forms")
    func tokenRead() async throws {
      try await Self.withSeededServer { server in
        let token = try await server.createToken(policies: ["reader"], ttl: 300)
        let resolver = SecretResolver(environment: server.environment(["VAULT_TOKEN": token]))
        #expect(try await resolver.resolve("vault:secret/vra#password").exposed == Self.password)
        #expect(try await resolver.resolve("vault:secret/data/vra#user").exposed == "admin")
        #expect(try await resolver.resolve("vault:secret/vra#port").exposed == "8443")
        #expect(try await resolver.resolve("vault:secret/vra#tls").exposed == "true")
        #expect(try await resolver.resolve("vault:secret/vra#extra").exposed == #"{"n":1.5,"zone":"a/b"}"#)
        let status = try await resolver.vault().tokenStatus()
        #expect(status.policies.contains("reader"))
        #expect(status.renewable && status.ttl > 0 && status.ttl <= 300)
      }
    }

    @Test("BAO_ADDR and BAO_TOKEN work like their VAULT_ twins")
    func baoVariables() async throws {
      try await Self.withSeededServer { server in
        let resolver = SecretResolver(environment: [
          "BAO_ADDR": server.address.absoluteString, "BAO_TOKEN": server.rootToken,
        ])
        let user = try await resolver.resolve("vault:secret/vra#user")
        #expect(user.exposed == "admin")
      }
    }

    @Test("VAULT_NAMESPACE: the secret is read in the namespace, not at the root")
    func namespace() async throws {
      try await Self.withSeededServer { server in
        try await server.admin(.POST, "sys/namespaces/team-a", [:])
        try await server.admin(
          .POST, "sys/mounts/secret", ["type": "kv", "options": ["version": "2"]], namespace: "team-a")
        try await server.admin(.POST, "secret/data/vra", ["data": ["user": "team-a-admin"]], namespace: "team-a")
        let inNamespace = SecretResolver(
          environment: server.environment(["VAULT_TOKEN": server.rootToken, "VAULT_NAMESPACE": "team-a"]))
        let user = try await inNamespace.resolve("vault:secret/vra#user")
        #expect(user.exposed == "team-a-admin")
        let atRoot = SecretResolver(environment: server.environment(["VAULT_TOKEN": server.rootToken]))
        let rootUser = try await atRoot.resolve("vault:secret/vra#user")
        #expect(rootUser.exposed == "admin")
      }
    }

    @Test("AppRole: role id + secret id log in once, even for concurrent first reads, and read")
    func appRoleRead() async throws {
      try await Self.withSeededServer { server in
        let role = try await server.createAppRole("engine", policies: ["reader"])
        let client = try VaultClient(
          environment: server.environment(["VAULT_ROLE_ID": role.roleID, "VAULT_SECRET_ID": role.secretID]))
        let path = VaultSecretPath(mount: "secret", path: "vra")
        let values = try await withThrowingTaskGroup(of: String.self) { group in
          for _ in 0..<8 { group.addTask { try await client.read(path, key: "password").exposed } }
          return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values == Array(repeating: Self.password, count: 8))
        #expect(await client.statistics.logins == 1)
        let status = try await client.tokenStatus()
        #expect(status.policies.contains("reader"))
      }
    }

    @Test("the resolver reads each Vault path once and shares concurrent reads")
    func resolverCache() async throws {
      try await Self.withSeededServer { server in
        let client = try VaultClient(environment: server.environment(["VAULT_TOKEN": server.rootToken]))
        let resolver = SecretResolver(environment: [:], vaultClient: client)
        try await withThrowingTaskGroup(of: Void.self) { group in
          for key in ["password", "user", "port", "password", "user"] {
            group.addTask { _ = try await resolver.resolve("vault:secret/vra#\(key)") }
          }
          try await group.waitForAll()
        }
        // A rotation on the server is not seen: the value is cached for the resolver's lifetime.
        try await server.writeSecret("vra", ["password": "rotated", "user": "admin"])
        #expect(try await resolver.resolve("vault:secret/vra#password").exposed == Self.password)
        #expect(await client.statistics.reads == 1)
        await resolver.forgetCachedReads()
        #expect(try await resolver.resolve("vault:secret/vra#password").exposed == "rotated")
        #expect(await client.statistics.reads == 2)
      }
    }

    @Test("a missing key lists the keys the secret has, never a value")
    func keyMissing() async throws {
      try await Self.withSeededServer { server in
        let resolver = SecretResolver(environment: server.environment(["VAULT_TOKEN": server.rootToken]))
        do {
          _ = try await resolver.resolve("vault:secret/vra#pasword")
          Issue.record("resolved a missing key")
        } catch let error as SecretResolutionError {
          guard case .vault(_, .keyMissing(let path, let key, let keys)) = error else {
            Issue.record("unexpected \(error)")
            return
          }
          #expect(path == VaultSecretPath(mount: "secret", path: "vra") && key == "pasword")
          #expect(keys == ["extra", "password", "port", "tls", "user"])
          #expect(error.description.contains("its keys are: extra, password, port, tls, user"))
          #expect(!error.description.contains(Self.password) && !error.description.contains("8443"))
        }
      }
    }

    @Test("a missing path and a missing mount are told apart")
    func pathMissing() async throws {
      try await Self.withSeededServer { server in
        let resolver = SecretResolver(environment: server.environment(["VAULT_TOKEN": server.rootToken]))
        await #expect(
          throws: SecretResolutionError.vault(
            reference: "vault:secret/nope#password",
            .secretNotFound(path: VaultSecretPath(mount: "secret", path: "nope"), mountMissing: false))
        ) { try await resolver.resolve("vault:secret/nope#password") }
        await #expect(
          throws: SecretResolutionError.vault(
            reference: "vault:kv/vra#password",
            .secretNotFound(path: VaultSecretPath(mount: "kv", path: "vra"), mountMissing: true))
        ) { try await resolver.resolve("vault:kv/vra#password") }
      }
    }

    @Test("a token whose policy lacks the path gets permission denied, naming the path")
    func permissionDenied() async throws {
      try await Self.withSeededServer { server in
        let token = try await server.createToken(policies: ["reader"], ttl: 300)
        let client = try VaultClient(environment: server.environment(["VAULT_TOKEN": token]))
        await #expect(throws: VaultError.permissionDenied(path: "secret/data/other", operation: "read")) {
          try await client.read(VaultSecretPath(mount: "secret", path: "other"))
        }
        // The token is still good for what its policy allows.
        #expect(try await client.read(VaultSecretPath(mount: "secret", path: "vra"), key: "user").exposed == "admin")
      }
    }

    @Test("bad AppRole credentials are their own error")
    func badAppRole() async throws {
      try await Self.withSeededServer { server in
        let role = try await server.createAppRole("engine", policies: ["reader"])
        let client = try VaultClient(
          environment: server.environment(["VAULT_ROLE_ID": role.roleID, "VAULT_SECRET_ID": "wrong-secret-id"]))
        await #expect(throws: VaultError.appRoleLoginFailed(mount: "approle", status: 400)) {
          try await client.read(VaultSecretPath(mount: "secret", path: "vra"))
        }
      }
    }

    @Test("an expired or revoked token without AppRole is reported as such")
    func revokedToken() async throws {
      try await Self.withSeededServer { server in
        let token = try await server.createToken(policies: ["reader"], ttl: 300)
        let client = try VaultClient(environment: server.environment(["VAULT_TOKEN": token]))
        #expect(try await client.read(VaultSecretPath(mount: "secret", path: "vra"), key: "user").exposed == "admin")
        try await server.admin(.POST, "auth/token/revoke", ["token": token])
        await #expect(throws: VaultError.tokenInvalid(authentication: "token")) {
          try await client.read(VaultSecretPath(mount: "secret", path: "vra"))
        }
      }
    }

    @Test("with AppRole, a token revoked under the client is replaced by a new login")
    func revokedAppRoleToken() async throws {
      try await Self.withSeededServer { server in
        let role = try await server.createAppRole("engine", policies: ["reader"])
        let client = try VaultClient(
          environment: server.environment(["VAULT_ROLE_ID": role.roleID, "VAULT_SECRET_ID": role.secretID]))
        let path = VaultSecretPath(mount: "secret", path: "vra")
        #expect(try await client.read(path, key: "user").exposed == "admin")
        #expect(try await server.revokeAppRoleTokens() == 1)
        #expect(try await client.read(path, key: "user").exposed == "admin")
        #expect(await client.statistics.logins == 2)
      }
    }

    @Test("a sealed server is reported as sealed")
    func sealed() async throws {
      try await Self.withSeededServer { server in
        let client = try VaultClient(environment: server.environment(["VAULT_TOKEN": server.rootToken]))
        try await server.admin(.POST, "sys/seal")
        do {
          _ = try await client.read(VaultSecretPath(mount: "secret", path: "vra"))
          Issue.record("read from a sealed server")
        } catch let error as VaultError {
          #expect(error == .sealed(address: server.address.absoluteString))
          #expect(error.hint.contains("unseal"))
        }
      }
    }

    @Test("nothing listening: unreachable, naming the address")
    func unreachable() async throws {
      // A server started and stopped leaves a port that nothing listens on.
      let server = try await OpenBaoDevServer.start()
      await server.stop()
      let client = try VaultClient(environment: server.environment(["VAULT_TOKEN": "whatever"]))
      do {
        _ = try await client.read(VaultSecretPath(mount: "secret", path: "vra"))
        Issue.record("read from nowhere")
      } catch {
        guard case .unreachable(let address, _) = error else {
          Issue.record("unexpected \(error)")
          return
        }
        #expect(address == server.address.absoluteString)
        #expect(error.code == "vault.unreachable")
      }
    }
  }
}

extension OpenBaoDevServer {
  /// Revokes every token issued by an AppRole login (found by accessor: a lookup by accessor
  /// does not reveal the token); returns how many.
  @discardableResult
  func revokeAppRoleTokens() async throws -> Int {
    let (status, json) = try await call(.RAW(value: "LIST"), "auth/token/accessors")
    guard status == 200, let accessors = (json["data"] as? [String: Any])?["keys"] as? [String] else {
      throw Failure(description: "cannot list token accessors: \(status)")
    }
    var revoked = 0
    for accessor in accessors {
      let lookup = try await admin(.POST, "auth/token/lookup-accessor", ["accessor": accessor])
      let data = lookup["data"] as? [String: Any] ?? [:]
      let path = data["path"] as? String ?? ""
      if path.hasPrefix("auth/approle/login") {
        try await admin(.POST, "auth/token/revoke-accessor", ["accessor": accessor])
        revoked += 1
      }
    }
    return revoked
  }
}

extension SecretsAgainstOpenBao {
  @Suite("Vault client over TLS against OpenBao")
  struct VaultSecretTLSTests {
    @Test("VAULT_CACERT: the server's private CA is trusted; without it the server is unreachable")
    func privateCA() async throws {
      try await OpenBaoDevServer.with(tls: true) { server in
        let ca = try #require(server.caCertificatePath)
        try await server.writeSecret("vra", ["user": "admin"])
        let trusting = SecretResolver(
          environment: server.environment(["VAULT_TOKEN": server.rootToken, "VAULT_CACERT": ca]))
        #expect(try await trusting.resolve("vault:secret/vra#user").exposed == "admin")
        let untrusting = SecretResolver(environment: server.environment(["VAULT_TOKEN": server.rootToken]))
        do {
          _ = try await untrusting.resolve("vault:secret/vra#user")
          Issue.record("trusted a private CA without VAULT_CACERT")
        } catch let error as SecretResolutionError {
          guard case .vault(_, .unreachable(let address, _)) = error else {
            Issue.record("unexpected \(error)")
            return
          }
          #expect(address == server.address.absoluteString)
        }
      }
    }

    @Test("an unreadable CA file is a configuration error naming the file")
    func badCA() throws {
      let configuration = try VaultConfiguration.fromEnvironment([
        "VAULT_ADDR": "https://127.0.0.1:8200", "VAULT_TOKEN": "t", "VAULT_CACERT": "/nonexistent/ca.pem",
      ])
      #expect {
        _ = try VaultClient(configuration: configuration)
      } throws: { error in
        guard case .invalidConfiguration(let reason) = error as? VaultError else { return false }
        return reason.contains("/nonexistent/ca.pem")
      }
    }
  }
}
