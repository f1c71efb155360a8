import Configuration
import Foundation
import Synchronization

/// Layers the configuration with swift-configuration: flags > environment > the profile's table
/// of the file > the file's top level. `ConfigReader` walks the providers in that order; an access
/// reporter tells which provider answered, which is what `config show` prints as the source.
///
/// Every value is read as text and checked against its `ConfigKeySpec`, whatever layer it came
/// from, so a bad `VRA_ENGINE_POLLING_MIN` is reported as precisely as a bad file line.
public enum ConfigResolver {
  /// - Parameters:
  ///   - flags: values given on the command line, by key, with the flag name.
  ///   - file: the config file's provider (`FileProvider` or `ReloadingFileProvider` of
  ///     `ConfigFileSnapshot`), nil when there is no file.
  ///   - profile: the profile asked for (`--profile`, `VRA_ENGINE_PROFILE`); nil takes the file's
  ///     `defaultProfile`.
  public static func resolve(
    flags: [SettingKey: (flag: String, value: String)], environment: [String: String],
    file: (any ConfigProvider)?, profile: String?
  ) throws(ConfigError) -> ResolvedConfiguration {
    let document = file.flatMap { ($0.snapshot() as? ConfigFileSnapshot)?.file }
    if let document, !document.problems.isEmpty { throw ConfigError(document.problems) }
    var problems: [ConfigProblem] = []

    let selected = profile ?? document?.defaultProfile
    if let selected {
      let origin = profile == nil ? "defaultProfile" : "profile '\(selected)'"
      if let document, !document.profiles.contains(selected) {
        problems.append(
          ConfigProblem(
            source: document.path, location: nil, key: "profiles.\(selected)", message: "no such profile (\(origin))",
            hint: document.profiles.isEmpty
              ? "the file has no profiles" : "profiles: \(document.profiles.joined(separator: ", "))"))
      } else if document == nil {
        problems.append(
          ConfigProblem(
            source: "--profile / VRA_ENGINE_PROFILE", location: nil, key: "",
            message: "profile '\(selected)' asked for, but no config file was found",
            hint: "pass --config FILE or set VRA_ENGINE_CONFIG"))
      }
    }

    // Unset is unset: `VRA_URL=` in a pipeline must not mean an empty URL.
    let setVariables = environment.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
    let variableNames = Dictionary(
      uniqueKeysWithValues: ConfigCatalog.keys.map { ($0.key.rawValue, $0.environmentName) })
    var layers: [(provider: any ConfigProvider, source: (SettingKey) -> ResolvedConfiguration.Source)] = []
    let flagValues = Dictionary(
      uniqueKeysWithValues: flags.map {
        (AbsoluteConfigKey(ConfigKey($0.key.rawValue)), ConfigValue(.string($0.value.value), isSecret: false))
      })
    layers.append(
      (InMemoryProvider(name: "flags", values: flagValues), { key in .flag(flags[key]?.flag ?? key.rawValue) }))
    layers.append(
      (
        EnvironmentVariablesProvider(environmentVariables: setVariables).mapKeys { key in
          // `VRA_URL` and the other Terraform names as they are, `VRA_ENGINE_<KEY>` for the rest.
          AbsoluteConfigKey([variableNames[key.components.joined(separator: ".")] ?? "VRA_ENGINE_UNKNOWN_KEY"])
        }, { key in .environment(key.spec.environmentName) }
      ))
    if let file, let document {
      if let selected, document.profiles.contains(selected) {
        layers.append(
          (
            prefixed(file, with: ConfigKey(["profiles", selected])),
            { key in
              .file(
                path: document.path, profile: selected,
                location: document.entries["profiles.\(selected).\(key.rawValue)"]?.location ?? .startOfFile)
            }
          ))
      }
      layers.append(
        (
          file,
          { key in
            .file(path: document.path, profile: nil, location: document.entries[key.rawValue]?.location ?? .startOfFile)
          }
        ))
    }

    let recorder = WinningProvider()
    let reader = ConfigReader(providers: layers.map(\.provider), accessReporter: recorder)
    var values: [SettingKey: ResolvedConfiguration.Value] = [:]
    for spec in ConfigCatalog.keys {
      recorder.reset()
      guard let text = reader.string(forKey: ConfigKey(spec.key.rawValue), isSecret: spec.isSecret),
        let layer = recorder.index,
        layer < layers.count
      else { continue }
      let source = layers[layer].source(spec.key)
      switch spec.kind.check(text) {
      case .success(let setting):
        values[spec.key] = ResolvedConfiguration.Value(setting: setting, source: source)
      case .failure(let error):
        problems.append(problem(error, key: spec.key, source: source))
      }
    }
    if let min = values[.pollingMin], let max = values[.pollingMax], let shortest = min.setting.duration,
      let longest = max.setting.duration, shortest > longest
    {
      problems.append(
        ConfigProblem(
          source: "\(min.source)", location: nil, key: SettingKey.pollingMin.rawValue,
          message: "\(min.setting) is longer than \(SettingKey.pollingMax) \(max.setting) (\(max.source))"))
    }
    if !problems.isEmpty { throw ConfigError(problems) }
    return ResolvedConfiguration(values: values, file: document?.path, profile: selected)
  }

  /// Opens the existential: `prefixKeys` is generic.
  private static func prefixed(_ provider: some ConfigProvider, with prefix: ConfigKey) -> any ConfigProvider {
    provider.prefixKeys(with: prefix)
  }

  private static func problem(
    _ error: ConfigValueError, key: SettingKey, source: ResolvedConfiguration.Source
  ) -> ConfigProblem {
    // A secret kind fails only on an empty value or a malformed reference: neither echoes a secret.
    let message = error.message
    switch source {
    case .file(let path, let profile, let location):
      return ConfigProblem(
        source: path, location: location, key: profile.map { "profiles.\($0).\(key)" } ?? key.rawValue,
        message: message,
        hint: error.hint)
    case .flag(let name), .environment(let name):
      return ConfigProblem(source: name, location: nil, key: key.rawValue, message: message, hint: error.hint)
    }
  }
}

/// Remembers which provider answered the last read: the reader stops at the first provider with
/// a value, so the answering one is the last one consulted.
private final class WinningProvider: AccessReporter {
  private let answered = Mutex<Int?>(nil)

  var index: Int? { answered.withLock { $0 } }
  func reset() { answered.withLock { $0 = nil } }

  func report(_ event: AccessEvent) {
    guard case .success(let value?) = event.result, value != nil else { return }
    let index = event.providerResults.lastIndex { result in
      if case .success(let lookup) = result.result { return lookup.value != nil }
      return false
    }
    answered.withLock { $0 = index }
  }
}
