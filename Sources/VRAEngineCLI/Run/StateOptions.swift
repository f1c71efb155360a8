import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState

/// `--state` with the config file and profile it layers over (`state.url`), for the commands that
/// only read the state database (`runs`), so they look where `apply` wrote.
struct StateOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Config file (see `vra-engine apply --help`).", valueName: "file")) var config: String?
  @Option(help: ArgumentHelp("Profile of the config file.", valueName: "name")) var profile: String?
  @Option(
    help: ArgumentHelp(
      "The state database: a SQLite file (default: \(SQLStateStore.defaultPath)) or a postgres:// URL.",
      valueName: "file|url"))
  var state: String?

  /// The state database the configuration names; exits 2 on a bad configuration.
  func stateConnection() async throws(RuntimeError) -> StateConnection {
    let flags = state.map { [SettingKey.stateURL: (flag: "--state", value: $0)] } ?? [:]
    return try await ConnectionOptions.loadConfiguration(config: config, profile: profile, flags: flags)
      .stateConnection()
  }
}
