import Credentials
import Foundation
import Logging

/// Turns secret references into values: `env:` from the environment it was given, `file:` from
/// disk, `vault:` from Vault or OpenBao.
///
/// The Vault client is created on the first `vault:` reference, from `VAULT_*` / `BAO_*` in the
/// same environment, unless one is given. Each Vault secret is read once per resolver (that is,
/// once per process when the process keeps one resolver), and concurrent resolutions of the same
/// path share one read; failures are not cached. Values live in this actor's memory only, as
/// `Secret`s that print as `<redacted>`, and are never written anywhere.
public actor SecretResolver {
  private let environment: [String: String]
  private let logger: Logger
  private var vaultClient: VaultClient?
  private var vaultReads: [VaultSecretPath: Task<Result<VaultSecretData, VaultError>, Never>] = [:]

  /// - Parameters:
  ///   - environment: where `env:` references and the Vault settings are read.
  ///   - vaultClient: the client for `vault:` references; nil creates one when first needed.
  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment, vaultClient: VaultClient? = nil,
    logger: Logger = Logger(label: "vra-engine.secrets")
  ) {
    self.environment = environment
    self.logger = logger
    self.vaultClient = vaultClient
  }

  /// Parses `text` as a reference and resolves it.
  public func resolve(_ text: String) async throws(SecretResolutionError) -> Secret {
    let reference: SecretReference
    do {
      reference = try SecretReference(parsing: text)
    } catch {
      throw .invalidReference(error)
    }
    return try await resolve(reference)
  }

  /// `text` resolved when it is a reference (`SecretReference.isReference`), else `text` itself
  /// as a literal secret: for settings and inputs that accept both.
  public func resolveIfReference(_ text: String) async throws(SecretResolutionError) -> Secret {
    SecretReference.isReference(text) ? try await resolve(text) : Secret(text)
  }

  /// The value `reference` points at.
  public func resolve(_ reference: SecretReference) async throws(SecretResolutionError) -> Secret {
    switch reference {
    case .environment(let name):
      guard let value = environment[name] else { throw .environmentVariableMissing(name: name) }
      guard !value.isEmpty else { throw .environmentVariableEmpty(name: name) }
      return Secret(value)
    case .file(let path):
      return try Self.readFile(path)
    case .vault(let path, let key):
      do {
        return try await vaultData(path).value(forKey: key)
      } catch {
        logger.debug(
          "secret reference not resolved",
          metadata: ["secret.reference": "\(reference)", "error.class": "\(error.code)"])
        throw .vault(reference: reference.description, error)
      }
    }
  }

  /// The Vault client this resolver uses, creating it from the environment if needed.
  public func vault() throws(VaultError) -> VaultClient {
    if let vaultClient { return vaultClient }
    let client = try VaultClient(environment: environment, logger: logger)
    vaultClient = client
    return client
  }

  /// Forgets cached Vault reads, so the next resolution reads again (after a rotation).
  public func forgetCachedReads() {
    vaultReads = [:]
  }

  private func vaultData(_ path: VaultSecretPath) async throws(VaultError) -> VaultSecretData {
    if let read = vaultReads[path] { return try await read.value.get() }
    let client = try vault()
    let read = Task { () -> Result<VaultSecretData, VaultError> in
      do throws(VaultError) { return .success(try await client.read(path)) } catch { return .failure(error) }
    }
    vaultReads[path] = read
    let result = await read.value
    if case .failure = result, vaultReads[path] == read { vaultReads[path] = nil }
    return try result.get()
  }

  /// The file's text without one trailing newline (`\n` or `\r\n`), as `echo` and editors add it.
  static func readFile(_ path: String) throws(SecretResolutionError) -> Secret {
    let expanded = (path as NSString).expandingTildeInPath
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) else {
      throw .fileUnreadable(path: path, reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw .fileUnreadable(path: path, reason: "it is a directory") }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: expanded))
    } catch {
      throw .fileUnreadable(
        path: path, reason: FileManager.default.isReadableFile(atPath: expanded) ? "read failed" : "permission denied")
    }
    guard var text = String(data: data, encoding: .utf8) else { throw .fileNotUTF8(path: path) }
    if let last = text.last, last == "\n" || last == "\r\n" {
      text.removeLast()  // "\r\n" is one Character
    }
    return Secret(text)
  }
}
