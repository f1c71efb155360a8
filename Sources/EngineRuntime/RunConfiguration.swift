import Configuration
import Credentials
import Engine
import Foundation
import Logging
import RunState
import Secrets

/// The effective configuration of one command (or one service request), turned into what the
/// parts need: the state path, the tracker's intervals, the concurrency limits, telemetry, leases
/// and log settings.
public struct RunConfiguration: Sendable {
  public let resolved: ResolvedConfiguration
  public let loader: ConfigurationLoader
  /// The config file's provider, watched by `apply` for hot reload; nil without a file.
  public let provider: ReloadingFileProvider<ConfigFileSnapshot>?
  /// The environment the configuration was read from (credentials, `VRA_ENGINE_LEASE_*`, `OTEL_*`).
  public let environment: [String: String]

  /// Where the configuration was read from: `./vra-engine.toml` and the project's `.vra-engine/`
  /// are looked for from here.
  public let currentDirectory: String

  /// Reads the configuration (file, profile, `environment`, flags by configuration key), applies
  /// its log settings, and fails with every problem at once (exit 2) when it is wrong.
  public static func load(
    configFile: String?, profile: String?, flags: [SettingKey: (flag: String, value: String)],
    environment: [String: String], currentDirectory: String = FileManager.default.currentDirectoryPath
  ) async throws(RuntimeError) -> RunConfiguration {
    let loader = ConfigurationLoader(
      configFlag: configFile, profileFlag: profile, flags: flags, environment: environment,
      currentDirectory: currentDirectory)
    do {
      let (resolved, provider) = try await loader.load()
      let configuration = RunConfiguration(
        resolved: resolved, loader: loader, provider: provider, environment: environment,
        currentDirectory: currentDirectory)
      configuration.applyLogSettings()
      return configuration
    } catch {
      throw RuntimeError(error.description, status: .usageOrValidation)
    }
  }

  /// The configuration of work a service does for a tenant: exactly `values` (the tenant's endpoint
  /// and credentials, as references) and `state.url`, with no config file or profile looked for, and
  /// an environment the caller filters (no `VRA_*` credentials of the service's own).
  public static func service(
    values: [SettingKey: ResolvedConfiguration.Value], statePath: String, environment: [String: String]
  ) -> RunConfiguration {
    var values = values
    values[.stateURL] = .init(setting: .text(statePath), source: .flag("serve state.url"))
    let directory =
      StateDatabase.isPostgres(statePath)
      ? FileManager.default.currentDirectoryPath : URL(fileURLWithPath: statePath).deletingLastPathComponent().path
    return RunConfiguration(
      resolved: ResolvedConfiguration(values: values, file: nil, profile: nil),
      loader: ConfigurationLoader(
        configFlag: nil, profileFlag: nil, flags: [:], environment: environment, currentDirectory: directory),
      provider: nil, environment: environment, currentDirectory: directory)
  }

  /// `state.url`, else `.vra-engine/state.db` in the nearest directory from `currentDirectory` up
  /// that has a `.vra-engine/` (`StateLocation.discover`), else in `currentDirectory`. A SQLite
  /// path, or a PostgreSQL URL as written (see `stateConnection()`).
  public var statePath: String {
    guard var text = resolved.text(.stateURL) else {
      return StateLocation.discover(from: currentDirectory, home: environment["HOME"])
        ?? URL(fileURLWithPath: currentDirectory, isDirectory: true).appendingPathComponent(SQLStateStore.defaultPath)
        .path
    }
    if StateDatabase.isPostgres(text) { return text }
    for prefix in ["sqlite://", "sqlite:"] where text.hasPrefix(prefix) {
      text = String(text.dropFirst(prefix.count))
      break
    }
    return text
  }

  /// Where the embedded simulator and other local files go: beside a SQLite state file; for a
  /// PostgreSQL state, `.vra-engine/` in the current directory.
  public var stateDirectory: URL {
    if StateDatabase.isPostgres(statePath) {
      return URL(fileURLWithPath: currentDirectory, isDirectory: true).appendingPathComponent(
        StateLocation.directoryName, isDirectory: true)
    }
    return URL(fileURLWithPath: statePath).deletingLastPathComponent()
  }

  /// The state database with what it takes to open it: `state.url` checked, and for PostgreSQL
  /// `state.password` read (a reference through the secret resolver) and registered with the redactor.
  public func stateConnection() async throws(RuntimeError) -> StateConnection {
    let database: StateDatabase
    do {
      database = try StateDatabase.parse(statePath)
    } catch {
      let source = resolved.values[.stateURL]?.source.description ?? "state.url"
      throw .error("\(source): \(error)", status: .usageOrValidation)
    }
    guard case .postgres(let location) = database else { return StateConnection(database: database, password: nil) }
    if let inline = location.urlPassword { OutputRedaction.redactor.register(Secret(inline)) }
    guard let value = resolved.values[.statePassword], let text = value.setting.text, !text.isEmpty else {
      return StateConnection(database: database, password: nil)
    }
    do {
      let secret = try await SecretResolver(environment: try await secretEnvironment()).resolveIfReference(text)
      OutputRedaction.redactor.register(secret)
      return StateConnection(database: database, password: secret.exposed)
    } catch {
      throw .error("\(value.source): state.password: \(error)", status: .usageOrValidation)
    }
  }

  public var metricsPort: Int? { resolved.number(.telemetryMetricsPort) }
  public var metricsHost: String { resolved.text(.telemetryMetricsHost) ?? "127.0.0.1" }

  /// The poll bounds: configured, else the defaults for a real vRA or the embedded simulator
  /// (which runs 50× faster than vRA, so it is polled accordingly).
  public func pollIntervals(embedded: Bool) -> (min: Duration, max: Duration) {
    let standard = TrackerConfiguration()
    let defaults =
      embedded ? (Duration.milliseconds(100), Duration.seconds(1)) : (standard.minInterval, standard.maxInterval)
    let min = resolved.duration(.pollingMin) ?? defaults.0
    let max = resolved.duration(.pollingMax) ?? Swift.max(defaults.1, min)
    return (min, Swift.max(min, max))
  }

  public func trackerConfiguration(embedded: Bool) -> TrackerConfiguration {
    let (min, max) = pollIntervals(embedded: embedded)
    var configuration = TrackerConfiguration()
    configuration.minInterval = min
    configuration.maxInterval = max
    return configuration
  }

  public var concurrencyLimits: ConcurrencyLimits.Values {
    ConcurrencyLimits.Values(
      parallelism: resolved.number(.concurrencyParallelism),
      perProjectLimit: resolved.number(.concurrencyPerProjectLimit))
  }

  /// Log level and format from the configuration (the environment's `VRA_ENGINE_LOG_LEVEL` included).
  public func applyLogSettings() {
    LogControl.shared.level = resolved.text(.logLevel).flatMap(Logger.Level.init(rawValue:)) ?? .warning
    LogControl.shared.format = resolved.text(.logFormat).flatMap(LogControl.Format.init(rawValue:)) ?? .text
  }

  /// This configuration with `resolved` replaced (a hot reload).
  public func replacing(_ resolved: ResolvedConfiguration) -> RunConfiguration {
    RunConfiguration(
      resolved: resolved, loader: loader, provider: provider, environment: environment,
      currentDirectory: currentDirectory)
  }

  /// The lease settings (`VRA_ENGINE_LEASE_DURATION`, `VRA_ENGINE_LEASE_CHECK` in seconds).
  public var lease: LeaseSettings { LeaseSettings.from(environment: environment) }
}

extension RunConfiguration {
  /// The environment the secret resolver reads: the process's, with the profile's `vault.*`
  /// settings filling in what neither `VAULT_*` nor `BAO_*` sets. A `vault.token` or
  /// `vault.secretId` written as an `env:` or `file:` reference is read here; a `vault:` one cannot
  /// be (it would need the Vault it logs in to).
  public func secretEnvironment() async throws(RuntimeError) -> [String: String] {
    var result = environment
    let local = SecretResolver(environment: environment)
    for spec in ConfigCatalog.keys where spec.key.section == "vault" {
      guard let value = resolved.values[spec.key], case .file = value.source, var text = value.setting.text else {
        continue
      }
      let suffix = String(spec.environmentName.dropFirst("VAULT_".count))
      guard (environment["VAULT_" + suffix] ?? environment["BAO_" + suffix] ?? "").isEmpty else { continue }
      if spec.isSecret, SecretReference.isReference(text) {
        guard !text.hasPrefix("vault:") else {
          throw .error(
            "\(value.source): \(spec.key) cannot be a vault: reference (use env: or file:)", status: .usageOrValidation)
        }
        do {
          let secret = try await local.resolve(text)
          OutputRedaction.redactor.register(secret)
          text = secret.exposed
        } catch {
          throw .error("\(value.source): \(spec.key): \(error)", status: .usageOrValidation)
        }
      }
      result[spec.environmentName] = text
    }
    return result
  }
}
