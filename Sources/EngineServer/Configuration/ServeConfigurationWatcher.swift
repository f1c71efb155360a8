import Crypto
import Foundation
import Logging
import ServiceLifecycle

/// Watches serve.yaml (and the tenants' `jwksFile`s) and puts each valid edit in effect in the
/// `TenantDirectory`, without a restart: tenants added, removed or changed, tokens rotated, keys
/// replaced.
///
/// It polls the files' content digest (modest, and immune to editors that replace the file
/// instead of writing it). An edit with problems is refused whole: the previous configuration
/// stays and the problems are logged (they never quote a secret). `listen`, `state` and `tls`
/// keep the values the server started with; editing them logs a warning that a restart is needed.
public struct ServeConfigurationWatcher: Service {
  public let path: String
  public let directory: TenantDirectory
  public let pollInterval: Duration
  private let logger: Logger
  /// The files' fingerprint when the watcher was made: what the directory's configuration was
  /// read from, so an edit made before `run()` starts (a JWKS file replaced) is not missed.
  private let baseline: [UInt8]

  public init(
    path: String, directory: TenantDirectory, pollInterval: Duration = .seconds(2),
    logger: Logger = Logger(label: "vra-engine.serve.config")
  ) {
    self.path = ServeConfiguration.absolutePath(path)
    self.directory = directory
    self.pollInterval = pollInterval
    self.logger = logger
    self.baseline = Self.fingerprint(path: self.path, configuration: directory.current)
  }

  /// Polls until the task is cancelled or the service group shuts down gracefully. Make the
  /// watcher right after loading the directory's configuration: edits since then count.
  public func run() async throws {
    await cancelWhenGracefulShutdown {
      var seen = fingerprint(of: directory.current)
      // Edits made since the watcher was made, or since the configuration was read before that.
      if seen != baseline || (try? ServeConfiguration.load(path: path)) != directory.current {
        seen = reload(observed: seen)
      }
      while true {
        do {
          try await Task.sleep(for: pollInterval)
        } catch {
          return
        }
        let observed = fingerprint(of: directory.current)
        if observed != seen { seen = reload(observed: observed) }
      }
    }
  }

  /// Reads the file again and puts it in effect when it has no problem. `observed` is the
  /// fingerprint taken before reading, returned as the one now seen (so a refused edit is reported
  /// once, and an edit landing while this runs is found by the next poll), unless the new
  /// configuration names other JWKS files.
  @discardableResult
  func reload(observed: [UInt8]) -> [UInt8] {
    let current = directory.current
    let next: ServeConfiguration
    do {
      next = try ServeConfiguration.load(path: path)
    } catch {
      logger.error(
        "serve.yaml has problems; the previous configuration stays in effect",
        metadata: ["config.file": "\(path)", "config.problems": "\(error.description)"])
      return observed
    }
    let change = ServeConfigurationChange(from: current, to: next)
    if !change.restartRequired.isEmpty {
      logger.warning(
        "serve.yaml changed settings that take effect only after a restart",
        metadata: ["config.file": "\(path)", "config.fields": "\(change.restartRequired.joined(separator: ", "))"])
    }
    var effective = next
    effective.listen = current.listen
    effective.statePath = current.statePath
    effective.statePassword = current.statePassword
    effective.tls = current.tls
    // Replaced even when no setting changed: a tenant's jwksFile may have, and it is read again.
    let generation = directory.replace(with: effective)
    logger.notice(
      "serve.yaml reloaded",
      metadata: [
        "config.file": "\(path)", "config.generation": "\(generation)",
        "tenants.added": "\(change.addedTenants.joined(separator: ", "))",
        "tenants.removed": "\(change.removedTenants.joined(separator: ", "))",
        "tenants.changed": "\(change.changedTenants.joined(separator: ", "))",
        "limits.changed": "\(change.limitsChanged)",
      ])
    return Self.jwksFiles(of: effective) == Self.jwksFiles(of: current) ? observed : fingerprint(of: effective)
  }

  private static func jwksFiles(of configuration: ServeConfiguration) -> [String] {
    configuration.tenants.compactMap { tenant in
      if case .file(let path)? = tenant.oidc?.keys { path } else { nil }
    }
  }

  /// The digest of serve.yaml's bytes and of every `jwksFile` the configuration names.
  func fingerprint(of configuration: ServeConfiguration) -> [UInt8] {
    Self.fingerprint(path: path, configuration: configuration)
  }

  private static func fingerprint(path: String, configuration: ServeConfiguration) -> [UInt8] {
    var hasher = SHA256()
    feed(path, into: &hasher)
    for jwks in jwksFiles(of: configuration) { feed(jwks, into: &hasher) }
    return Array(hasher.finalize())
  }

  private static func feed(_ path: String, into hasher: inout SHA256) {
    hasher.update(data: Data(path.utf8))
    if let content = FileManager.default.contents(atPath: path) {
      hasher.update(data: SHA256.hash(data: content).withUnsafeBytes { Data($0) })
    } else {
      hasher.update(data: Data("missing".utf8))
    }
  }
}
