import CloudTemplate
import Foundation
import Secrets

/// The effective configuration: every setting that has a value, with where the value came from.
/// Settings with no value take the built-in default of whoever uses them (see `EngineSettings`).
public struct ResolvedConfiguration: Sendable {
  public enum Source: Sendable, Hashable, CustomStringConvertible {
    case flag(String)
    case environment(String)
    /// A file, at a position, inside a profile when `profile` is set.
    case file(path: String, profile: String?, location: SourceLocation)

    public var description: String {
      switch self {
      case .flag(let name): "flag \(name)"
      case .environment(let name): "environment \(name)"
      case .file(let path, let profile?, let location): "\(path):\(location.line) (profile \(profile))"
      case .file(let path, nil, let location): "\(path):\(location.line)"
      }
    }
  }

  public struct Value: Sendable, Hashable {
    public var setting: ConfigSetting
    public var source: Source

    public init(setting: ConfigSetting, source: Source) {
      self.setting = setting
      self.source = source
    }
  }

  public let values: [SettingKey: Value]
  /// The config file read, if any.
  public let file: String?
  /// The profile applied, if any.
  public let profile: String?

  public init(values: [SettingKey: Value], file: String?, profile: String?) {
    self.values = values
    self.file = file
    self.profile = profile
  }

  public subscript(_ key: SettingKey) -> ConfigSetting? { values[key]?.setting }

  public func text(_ key: SettingKey) -> String? { values[key]?.setting.text }
  public func flag(_ key: SettingKey) -> Bool? { values[key]?.setting.flag }
  public func number(_ key: SettingKey) -> Int? { values[key]?.setting.number }
  public func duration(_ key: SettingKey) -> Duration? { values[key]?.setting.duration }

  /// The settings `config show` prints, secrets hidden: a literal credential shows as `<redacted>`,
  /// a secret reference as written (it names where the secret is, not what it is).
  public func displayValue(_ key: SettingKey) -> String? {
    guard let value = values[key] else { return nil }
    guard key.spec.isSecret else { return value.setting.description }
    let text = value.setting.description
    return SecretReference.isReference(text) ? text : "<redacted>"
  }
}
