import ArgumentParser
import Configuration
import Engine
import Foundation
import Logging
import RunState
import Secrets

/// The effective configuration of one command, turned into what the parts need: the state
/// path, the tracker's intervals, the concurrency limits, telemetry and log settings.
struct RunConfiguration: Sendable {
  let resolved: ResolvedConfiguration
  let loader: ConfigurationLoader
  /// The config file's provider, watched by `apply` for hot reload; nil without a file.
  let provider: ReloadingFileProvider<ConfigFileSnapshot>?

  var statePath: String {
    guard var text = resolved.text("state.url") else {
      let context = CommandContext.current
      return StateLocation.discover(from: context.currentDirectory, home: context.environment["HOME"])
        ?? URL(fileURLWithPath: context.currentDirectory, isDirectory: true)
        .appendingPathComponent(SQLStateStore.defaultPath).path
    }
    for prefix in ["sqlite://", "sqlite:"] where text.hasPrefix(prefix) {
      text = String(text.dropFirst(prefix.count))
      break
    }
    return text
  }

  /// Where the embedded simulator keeps its state: beside the engine state.
  var stateDirectory: URL { URL(fileURLWithPath: statePath).deletingLastPathComponent() }

  var metricsPort: Int? { resolved.number("telemetry.metricsPort") }
  var metricsHost: String { resolved.text("telemetry.metricsHost") ?? "127.0.0.1" }

  /// The poll bounds: configured, else the defaults for a real vRA or the embedded simulator
  /// (which runs 50× faster than vRA, so it is polled accordingly).
  func pollIntervals(embedded: Bool) -> (min: Duration, max: Duration) {
    let standard = TrackerConfiguration()
    let defaults =
      embedded ? (Duration.milliseconds(100), Duration.seconds(1)) : (standard.minInterval, standard.maxInterval)
    let min = resolved.duration("polling.min") ?? defaults.0
    let max = resolved.duration("polling.max") ?? Swift.max(defaults.1, min)
    return (min, Swift.max(min, max))
  }

  func trackerConfiguration(embedded: Bool) -> TrackerConfiguration {
    let (min, max) = pollIntervals(embedded: embedded)
    var configuration = TrackerConfiguration()
    configuration.minInterval = min
    configuration.maxInterval = max
    return configuration
  }

  var concurrencyLimits: ConcurrencyLimits.Values {
    ConcurrencyLimits.Values(
      parallelism: resolved.number("concurrency.parallelism"),
      perProjectLimit: resolved.number("concurrency.perProjectLimit"))
  }

  /// Log level and format from the configuration (the environment's `VRA_ENGINE_LOG_LEVEL` included).
  func applyLogSettings() {
    LogControl.shared.level = resolved.text("log.level").flatMap(Logger.Level.init(rawValue:)) ?? .warning
    LogControl.shared.format = resolved.text("log.format").flatMap(LogControl.Format.init(rawValue:)) ?? .text
  }

  /// This configuration with `resolved` replaced (a hot reload).
  func replacing(_ resolved: ResolvedConfiguration) -> RunConfiguration {
    RunConfiguration(resolved: resolved, loader: loader, provider: provider)
  }
}

extension RunConfiguration {
  /// The environment the secret resolver reads: the process's, with the profile's `vault.*`
  /// settings filling in what neither `VAULT_*` nor `BAO_*` sets. A `vault.token` or
  /// `vault.secretId` written as an `env:` or `file:` reference is read here; a `vault:` one cannot
  /// be (it would need the Vault it logs in to).
  func secretEnvironment(_ environment: [String: String]) async throws(ExitCode) -> [String: String] {
    var result = environment
    let local = SecretResolver(environment: environment)
    for spec in ConfigCatalog.keys where spec.key.hasPrefix("vault.") {
      guard let value = resolved.values[spec.key], case .file = value.source, var text = value.setting.text else {
        continue
      }
      let suffix = String(spec.environmentName.dropFirst("VAULT_".count))
      guard (environment["VAULT_" + suffix] ?? environment["BAO_" + suffix] ?? "").isEmpty else { continue }
      if spec.isSecret, SecretReference.isReference(text) {
        guard !text.hasPrefix("vault:") else {
          Terminal.err("error: \(value.source): \(spec.key) cannot be a vault: reference (use env: or file:)")
          throw ExitCodes.usageOrValidation
        }
        do {
          let secret = try await local.resolve(text)
          OutputRedaction.redactor.register(secret)
          text = secret.exposed
        } catch {
          Terminal.err("error: \(value.source): \(spec.key): \(error)")
          throw ExitCodes.usageOrValidation
        }
      }
      result[spec.environmentName] = text
    }
    return result
  }
}
