import ArgumentParser
import CloudTemplate
import Engine
import EngineRuntime
import Foundation

/// `vra-engine config show` and `vra-engine config check FILE`.
struct ConfigCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config",
    abstract: "Show the effective configuration, or check a config file.",
    discussion: """
      Settings come from flags, then the environment (VRA_URL, VRA_REFRESH_TOKEN, ... and \
      VRA_ENGINE_<KEY>), then the selected profile of the config file, then its top level, then \
      the defaults. See docs/configuration.md.

      Examples:
        vra-engine config show --profile lab
        vra-engine config check vra-engine.toml
      """,
    subcommands: [Show.self, Check.self])

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Every setting with its value and where it comes from; secrets redacted.",
      discussion: """
        --output json prints {"file", "profile", "settings": {"KEY": {"value", "source"}}}; a setting with \
        no value shows its default (null when it has none) with source "default".

        Example: vra-engine config show --profile lab --output json
        """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var telemetry: TelemetryOptions
    @Option(help: OutputFormat.help) var output: OutputFormat = .text

    func run() async throws {
      let configuration = try await connection.loadConfiguration(telemetry: telemetry)
      let resolved = configuration.resolved
      if output == .json {
        var settings: [String: JSONValue] = [:]
        for spec in ConfigCatalog.keys {
          if let value = resolved.displayValue(spec.key), let source = resolved.values[spec.key]?.source {
            settings[spec.key.rawValue] = .object(["value": .string(value), "source": .string(source.description)])
          } else {
            settings[spec.key.rawValue] = .object([
              "value": spec.defaultDescription.map(JSONValue.string) ?? .null, "source": .string("default"),
            ])
          }
        }
        OutputJSON.print(
          JSONValue.object([
            "file": resolved.file.map(JSONValue.string) ?? .null,
            "profile": resolved.profile.map(JSONValue.string) ?? .null, "settings": .object(settings),
          ]))
        return
      }
      Terminal.out("config file: \(resolved.file ?? "none")")
      Terminal.out("profile:     \(resolved.profile ?? "none")")
      let width = (ConfigCatalog.keys.map(\.key.rawValue.count).max() ?? 20) + 2
      for spec in ConfigCatalog.keys {
        let key = spec.key.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
        if let value = resolved.displayValue(spec.key), let source = resolved.values[spec.key]?.source {
          Terminal.out("\(key)\(value)  [\(source)]")
        } else {
          Terminal.out("\(key)\(spec.defaultDescription ?? "-")  [default]")
        }
      }
    }
  }

  struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check",
      abstract: "Check a config file: unknown keys, wrong types and bad values with line and key (exit 2).",
      discussion: "Example: vra-engine config check ~/.config/vra-engine/config.toml")

    @Argument(help: "The config file (TOML or YAML).") var file: String

    func run() async throws {
      let checked = ConfigFile.read(path: file)
      guard checked.problems.isEmpty else {
        Terminal.err(ConfigError(checked.problems).description)
        throw ExitCodes.usageOrValidation
      }
      let profiles = checked.profiles.isEmpty ? "no profiles" : "profiles: \(checked.profiles.joined(separator: ", "))"
      Terminal.out("\(file): ok (\(checked.entries.count) settings, \(profiles))")
    }
  }
}
