import Configuration
import Foundation
import Logging
import SystemPackage

/// Finds, reads and layers the configuration once; keeps the file's provider so `apply` can
/// watch it (`ConfigurationReloader`).
public struct ConfigurationLoader: Sendable {
  public let flags: [SettingKey: (flag: String, value: String)]
  public let environment: [String: String]
  /// `--profile`, else `VRA_ENGINE_PROFILE`.
  public let profile: String?
  public let file: ConfigFileLocator.Found?

  public init(
    configFlag: String?, profileFlag: String?, flags: [SettingKey: (flag: String, value: String)],
    environment: [String: String], currentDirectory: String = FileManager.default.currentDirectoryPath
  ) {
    self.flags = flags
    self.environment = environment
    self.profile = profileFlag ?? environment["VRA_ENGINE_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
    self.file = ConfigFileLocator.locate(flag: configFlag, environment: environment, currentDirectory: currentDirectory)
  }

  /// The effective configuration and, when there is a file, its (reloading) provider.
  public func load() async throws(ConfigError) -> (
    configuration: ResolvedConfiguration, provider: ReloadingFileProvider<ConfigFileSnapshot>?
  ) {
    var provider: ReloadingFileProvider<ConfigFileSnapshot>?
    if let file {
      guard FileManager.default.fileExists(atPath: file.path) else {
        throw ConfigError([
          ConfigProblem(
            source: file.path, location: nil, key: "", message: "config file not found",
            hint: "named by --config or VRA_ENGINE_CONFIG")
        ])
      }
      do {
        var quiet = Logger(label: "vra-engine.config")
        quiet.logLevel = .error
        provider = try await ReloadingFileProvider<ConfigFileSnapshot>(
          parsingOptions: .init(path: file.path), filePath: FilePath(file.path),
          pollInterval: reloadInterval, logger: quiet)
      } catch {
        throw ConfigError([ConfigProblem(source: file.path, location: nil, key: "", message: "cannot read: \(error)")])
      }
    }
    let configuration = try resolve(provider)
    return (configuration, provider)
  }

  /// Layers flags, environment and the provider's current snapshot.
  public func resolve(_ provider: (any ConfigProvider)?) throws(ConfigError) -> ResolvedConfiguration {
    try ConfigResolver.resolve(flags: flags, environment: environment, file: provider, profile: profile)
  }

  /// How often a running `apply` looks at the file's modification time (`VRA_ENGINE_RELOAD_INTERVAL`,
  /// default 2s; SIGHUP makes it look at once).
  var reloadInterval: Duration {
    environment["VRA_ENGINE_RELOAD_INTERVAL"].flatMap(PlanDurationParser.parse).flatMap { $0 > .zero ? $0 : nil }
      ?? .seconds(2)
  }
}
