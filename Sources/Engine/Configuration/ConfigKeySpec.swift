import Foundation

/// One setting of the configuration: its key (`polling.min`), what it accepts, where else it can
/// come from (an environment variable, a flag), and whether a running `apply` picks up an edit.
public struct ConfigKeySpec: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    case string
    /// An http(s) URL with a host.
    case url
    /// A credential: a literal value or a secret reference (`vault:PATH#KEY`, `env:NAME`, `file:PATH`).
    case secret
    case path
    case bool
    /// `500ms`, `2s`, `1m30s`, or whole seconds.
    case duration
    case integer(ClosedRange<Int>)
    case choice([String])

    /// "a duration such as 500ms or 2s", for "expected X" messages.
    public var expectation: String {
      switch self {
      case .string, .path, .secret: "a string"
      case .url: "an http(s) URL such as https://vra.corp.local"
      case .bool: "true or false"
      case .duration: "a duration such as 500ms, 2s or 1m"
      case .integer(let range):
        range.upperBound == .max ? "a whole number of at least \(range.lowerBound)" : "a whole number in \(range)"
      case .choice(let values): "one of " + values.joined(separator: ", ")
      }
    }
  }

  /// `.pollingMin`, written `polling.min` in a file.
  public let key: SettingKey
  public let kind: Kind
  public let summary: String
  /// The variable that sets it: `VRA_URL` and friends for what the Terraform provider also reads,
  /// `VRA_ENGINE_<KEY>` for the rest (the swift-configuration encoding of `vra.engine.<key>`).
  public let environmentName: String
  /// The command-line flag that sets it, on the commands that have it.
  public let flag: String?
  /// An edit takes effect in a running `apply` (see `ConfigurationReloader`).
  public let isReloadable: Bool
  /// What an unset key means, for `config show` (the parts that use the key hold the value itself).
  public let defaultDescription: String?

  init(
    _ key: SettingKey, _ kind: Kind, _ summary: String, environment: String? = nil, flag: String? = nil,
    reloadable: Bool = false, default defaultDescription: String? = nil
  ) {
    self.defaultDescription = defaultDescription
    self.key = key
    self.kind = kind
    self.summary = summary
    self.environmentName = environment ?? ConfigKeySpec.engineEnvironmentName(for: key.rawValue)
    self.flag = flag
    self.isReloadable = reloadable
  }

  public var isSecret: Bool { kind == .secret }

  /// `polling.min` → `VRA_ENGINE_POLLING_MIN`, `telemetry.metricsPort` → `VRA_ENGINE_TELEMETRY_METRICS_PORT`:
  /// the name `EnvironmentVariablesProvider` looks up for the key prefixed with `vra.engine`.
  static func engineEnvironmentName(for key: String) -> String {
    let components = ["vra", "engine"] + key.split(separator: ".").map(String.init)
    return components.map { component in
      var out = ""
      var previous: Character?
      for character in component {
        if let previous, previous.isLowercase, character.isUppercase { out.append("_") }
        out.append(character.isLetter || character.isNumber ? Character(character.uppercased()) : "_")
        previous = character
      }
      return out
    }.joined(separator: "_")
  }
}
