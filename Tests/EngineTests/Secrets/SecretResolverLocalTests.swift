import Credentials
import Engine
import Foundation
import Secrets
import Testing
import VRAClient

@Suite("Secret resolution from the environment and files")
struct SecretResolverLocalTests {
  @Test("env: reads the given environment, not the process's")
  func environment() async throws {
    let resolver = SecretResolver(environment: ["VRA_PASSWORD": "s3cret value", "EMPTY": ""])
    #expect(try await resolver.resolve("env:VRA_PASSWORD").exposed == "s3cret value")
    await #expect(throws: SecretResolutionError.environmentVariableMissing(name: "PATH")) {
      try await resolver.resolve("env:PATH")
    }
    await #expect(throws: SecretResolutionError.environmentVariableEmpty(name: "EMPTY")) {
      try await resolver.resolve("env:EMPTY")
    }
  }

  @Test("resolveIfReference: a literal stays as it is, a reference is resolved, a malformed one fails")
  func literalOrReference() async throws {
    let resolver = SecretResolver(environment: ["PW": "from-env"])
    #expect(try await resolver.resolveIfReference("plain p4ss:word").exposed == "plain p4ss:word")
    #expect(try await resolver.resolveIfReference("env:PW").exposed == "from-env")
    await #expect(throws: SecretResolutionError.invalidReference(.environmentNameEmpty(reference: "env:"))) {
      try await resolver.resolveIfReference("env:")
    }
  }

  @Test(
    "file: reads the content without one trailing newline",
    arguments: [
      ("pw\n", "pw"), ("pw", "pw"), ("pw\r\n", "pw"), ("pw\n\n", "pw\n"), ("  spaced pw \n", "  spaced pw "),
      ("line1\nline2\n", "line1\nline2"),
    ])
  func file(content: String, expected: String) async throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("secret.txt")
    try content.write(to: file, atomically: true, encoding: .utf8)
    let value = try await SecretResolver(environment: [:]).resolve("file:\(file.path)")
    #expect(value.exposed == expected)
  }

  @Test("file: errors name the path and why")
  func fileErrors() async throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let resolver = SecretResolver(environment: [:])
    let missing = directory.appendingPathComponent("missing").path
    await #expect(throws: SecretResolutionError.fileUnreadable(path: missing, reason: "no such file")) {
      try await resolver.resolve("file:\(missing)")
    }
    await #expect(throws: SecretResolutionError.fileUnreadable(path: directory.path, reason: "it is a directory")) {
      try await resolver.resolve("file:\(directory.path)")
    }
    let binary = directory.appendingPathComponent("binary")
    try Data([0xff, 0xfe, 0x00, 0xc3]).write(to: binary)
    await #expect(throws: SecretResolutionError.fileNotUTF8(path: binary.path)) {
      try await resolver.resolve("file:\(binary.path)")
    }
  }

  @Test("a malformed reference is a resolution error carrying the reference error")
  func malformed() async {
    await #expect(throws: SecretResolutionError.invalidReference(.vaultKeyMissing(reference: "vault:secret/vra"))) {
      try await SecretResolver(environment: [:]).resolve("vault:secret/vra")
    }
  }

  @Test("a vault: reference without Vault settings says which variables to set")
  func vaultNotConfigured() async {
    do {
      _ = try await SecretResolver(environment: ["VAULT_TOKEN": "x"]).resolve("vault:secret/vra#password")
      Issue.record("resolved without VAULT_ADDR")
    } catch {
      guard case .vault(_, .notConfigured(let missing)) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(missing.contains("VAULT_ADDR"))
      #expect(error.description.contains("vault:secret/vra#password"))
    }
  }

  @Test("Vault settings from the environment: BAO_ wins over VAULT_, AppRole over a token")
  func configuration() throws {
    let token = try VaultConfiguration.fromEnvironment([
      "VAULT_ADDR": "http://vault:8200", "BAO_ADDR": "https://bao:8200", "VAULT_TOKEN": "t",
      "VAULT_NAMESPACE": "team-a", "BAO_CACERT": "/ca.pem",
    ])
    #expect(token.address.absoluteString == "https://bao:8200")
    #expect(token.namespace == "team-a")
    #expect(token.caCertificatePath == "/ca.pem")
    guard case .token(let secret) = token.authentication else {
      Issue.record("not token auth")
      return
    }
    #expect(secret.exposed == "t")
    let appRole = try VaultConfiguration.fromEnvironment([
      "VAULT_ADDR": "http://vault:8200", "VAULT_TOKEN": "t", "VAULT_ROLE_ID": "r", "VAULT_SECRET_ID": "s",
      "VAULT_APPROLE_MOUNT": "ci-approle",
    ])
    guard case .appRole(let roleID, let secretID, let mount) = appRole.authentication else {
      Issue.record("not approle auth")
      return
    }
    #expect(roleID.exposed == "r" && secretID.exposed == "s" && mount == "ci-approle")
    #expect(throws: VaultError.invalidConfiguration(reason: "VAULT_ROLE_ID is set without VAULT_SECRET_ID")) {
      try VaultConfiguration.fromEnvironment(["VAULT_ADDR": "http://v:8200", "VAULT_ROLE_ID": "r"])
    }
    #expect(throws: VaultError.invalidConfiguration(reason: "VAULT_ADDR 'vault:8200' is not an http(s) URL")) {
      try VaultConfiguration.fromEnvironment(["VAULT_ADDR": "vault:8200", "VAULT_TOKEN": "t"])
    }
  }

  private func temporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vra-secrets-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }
}
