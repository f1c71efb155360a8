import Credentials
import Engine
import Secrets
import Testing

@Suite("Secret references")
struct SecretReferenceTests {
  @Test(
    "vault references: mount is the first segment, the API form names the same secret",
    arguments: [
      ("vault:secret/vra#password", "secret", "vra", "password"),
      ("vault:secret/data/vra#password", "secret", "vra", "password"),
      ("vault:kv/teams/app/db#user", "kv", "teams/app/db", "user"),
      ("vault:kv/data/teams/app#api-key", "kv", "teams/app", "api-key"),
      ("vault:secret/data/data/x#k", "secret", "data/x", "k"),
    ])
  func vault(text: String, mount: String, path: String, key: String) throws {
    let reference = try SecretReference(parsing: text)
    #expect(reference == .vault(VaultSecretPath(mount: mount, path: path), key: key))
    guard case .vault(let parsed, _) = reference else { return }
    #expect(parsed.dataAPIPath == "/v1/\(mount)/data/\(path)")
    #expect(reference.description == "vault:\(mount)/\(path)#\(key)")
  }

  @Test("env and file references")
  func envAndFile() throws {
    #expect(try SecretReference(parsing: "env:VRA_PASSWORD") == .environment(name: "VRA_PASSWORD"))
    #expect(try SecretReference(parsing: "env:_x1") == .environment(name: "_x1"))
    #expect(try SecretReference(parsing: "file:/run/secrets/pw") == .file(path: "/run/secrets/pw"))
    #expect(try SecretReference(parsing: "file:relative/pw.txt") == .file(path: "relative/pw.txt"))
    #expect(SecretReference.environment(name: "A").description == "env:A")
  }

  @Test(
    "malformed references name the part that is wrong",
    arguments: [
      ("vault:secret/vra", "secret_reference.vault_key_missing", "key"),
      ("vault:secret/vra#", "secret_reference.vault_key_empty", "key"),
      ("vault:secret/vra#a#b", "secret_reference.vault_key_invalid", "key"),
      ("vault:#password", "secret_reference.vault_path_empty", "path"),
      ("vault:secret#password", "secret_reference.vault_path_mount_only", "path"),
      ("vault:secret/data#password", "secret_reference.vault_path_mount_only", "path"),
      ("vault:/secret/vra#password", "secret_reference.vault_path_empty_segment", "path"),
      ("vault:secret//vra#password", "secret_reference.vault_path_empty_segment", "path"),
      ("vault:secret/vra/#password", "secret_reference.vault_path_empty_segment", "path"),
      ("vault:secret/../sys#password", "secret_reference.vault_path_dot_segment", "path"),
      ("vault:secret/my app#password", "secret_reference.vault_path_invalid_character", "path"),
      ("vault:secret/vra?version=1#password", "secret_reference.vault_path_invalid_character", "path"),
      ("env:", "secret_reference.env_name_empty", "name"),
      ("env:1ABC", "secret_reference.env_name_invalid", "name"),
      ("env:VRA-PASSWORD", "secret_reference.env_name_invalid", "name"),
      ("file:", "secret_reference.file_path_empty", "path"),
      ("aws:secret/x", "secret_reference.unknown_scheme", "scheme"),
      ("plain text", "secret_reference.unknown_scheme", "scheme"),
    ])
  func malformed(text: String, code: String, part: String) {
    #expect {
      _ = try SecretReference(parsing: text)
    } throws: { error in
      guard let error = error as? SecretReferenceError else { return false }
      return error.code == code && error.part == part && !error.hint.isEmpty
        && error.description.contains(error.message)
    }
  }

  @Test("the message of a malformed vault reference says what is missing")
  func messages() {
    #expect(throws: SecretReferenceError.vaultKeyMissing(reference: "vault:secret/vra")) {
      try SecretReference(parsing: "vault:secret/vra")
    }
    #expect(
      SecretReferenceError.vaultPathMountOnly(reference: "vault:secret#pw", mount: "secret").message
        == "'vault:secret#pw': the Vault path names only the mount 'secret', not a secret in it")
  }

  @Test("an unknown scheme's error never repeats what follows the colon (it may be a literal secret)")
  func unknownSchemeDoesNotEcho() {
    #expect {
      _ = try SecretReference(parsing: "hunter:Canary-4f1c")
    } throws: { error in
      guard let error = error as? SecretReferenceError else { return false }
      return error == .notAReference(scheme: "hunter") && !error.description.contains("Canary-4f1c")
    }
  }

  @Test("isReference: the three schemes, malformed or not; anything else is a literal")
  func isReference() {
    #expect(SecretReference.isReference("vault:secret/vra#password"))
    #expect(SecretReference.isReference("vault:broken"))
    #expect(SecretReference.isReference("env:X"))
    #expect(SecretReference.isReference("file:/x"))
    #expect(!SecretReference.isReference("p4ssw0rd"))
    #expect(!SecretReference.isReference("Vault:secret/vra#password"))
    #expect(!SecretReference.isReference("https://vault:8200"))
    #expect(!SecretReference.isReference(""))
  }
}
