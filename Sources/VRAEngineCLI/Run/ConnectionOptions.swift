import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState

/// `--endpoint`, `--insecure`, `--state`, polling and logging flags, and the config file and
/// profile they layer over; shared by the commands that talk to vRA. Flags win over the
/// environment, which wins over the file (see `ConfigResolver`).
struct ConnectionOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Config file (default: $VRA_ENGINE_CONFIG, ./vra-engine.toml|yaml, $XDG_CONFIG_HOME/vra-engine/config.toml|yaml).",
      valueName: "file"))
  var config: String?

  @Option(
    help: ArgumentHelp(
      "Profile of the config file (default: $VRA_ENGINE_PROFILE, the file's defaultProfile).", valueName: "name"))
  var profile: String?

  @Option(
    help: ArgumentHelp(
      "vRA URL (default: $VRA_URL). Credentials come from VRA_REFRESH_TOKEN, or VRA_USERNAME + VRA_PASSWORD "
        + "(+ VRA_DOMAIN), or VRA_ACCESS_TOKEN, or a profile. With none, the embedded simulator is used.",
      valueName: "url"))
  var endpoint: String?

  @Flag(help: "Skip TLS certificate verification (self-signed lab installs only).") var insecure = false

  @Option(
    help: ArgumentHelp(
      "The state database: a SQLite file (default: \(SQLStateStore.defaultPath)) or a postgres:// URL.",
      valueName: "file|url"))
  var state: String?

  @Option(
    help: ArgumentHelp(
      "Shortest wait between two status polls of vRA (default 500ms; 100ms on the embedded simulator).",
      valueName: "duration"))
  var pollMin: String?

  @Option(
    help: ArgumentHelp(
      "Longest wait between two polls, reached while nothing changes (default 10s; 1s on the embedded "
        + "simulator). A failure is noticed within this long.", valueName: "duration"))
  var pollMax: String?

  @Option(help: ArgumentHelp("Log level on stderr (default warning).", valueName: "level")) var logLevel: String?

  @Option(help: ArgumentHelp("Log lines as text or json.", valueName: "text|json")) var logFormat: String?

  func validate() throws {
    for (flag, value) in [("--poll-min", pollMin), ("--poll-max", pollMax)] {
      if let value, TimeoutOption.parse(value) == nil {
        throw ValidationError("\(flag) must be a duration such as 500ms, 2s or 1m, not '\(value)'")
      }
    }
    if let logFormat, LogControl.Format(rawValue: logFormat) == nil {
      throw ValidationError("--log-format must be text or json, not '\(logFormat)'")
    }
    if let logLevel, !ConfigCatalog.logLevels.contains(logLevel) {
      throw ValidationError(
        "--log-level must be one of \(ConfigCatalog.logLevels.joined(separator: ", ")), not '\(logLevel)'")
    }
  }

  /// The flags given, by configuration key.
  func flagValues(telemetry: TelemetryOptions? = nil) -> [SettingKey: (flag: String, value: String)] {
    var flags: [SettingKey: (flag: String, value: String)] = [:]
    func set(_ key: SettingKey, _ flag: String, _ value: String?) {
      if let value { flags[key] = (flag, value) }
    }
    set(.endpointURL, "--endpoint", endpoint)
    set(.tlsInsecure, "--insecure", insecure ? "true" : nil)
    set(.stateURL, "--state", state)
    set(.pollingMin, "--poll-min", pollMin)
    set(.pollingMax, "--poll-max", pollMax)
    set(.logLevel, "--log-level", logLevel)
    set(.logFormat, "--log-format", logFormat)
    set(.telemetryMetricsPort, "--metrics-port", telemetry?.metricsPort.map(String.init))
    set(.telemetryMetricsHost, "--metrics-host", telemetry?.metricsHost)
    return flags
  }

  /// Reads the configuration (file, profile, environment, these flags), applies its log settings,
  /// and exits 2 with every problem at once when it is wrong.
  func loadConfiguration(telemetry: TelemetryOptions? = nil) async throws(RuntimeError) -> RunConfiguration {
    try await Self.loadConfiguration(config: config, profile: profile, flags: flagValues(telemetry: telemetry))
  }

  static func loadConfiguration(
    config: String?, profile: String?, flags: [SettingKey: (flag: String, value: String)]
  ) async throws(RuntimeError) -> RunConfiguration {
    let context = CommandContext.current
    return try await RunConfiguration.load(
      configFile: config, profile: profile, flags: flags, environment: context.environment,
      currentDirectory: context.currentDirectory)
  }
}
