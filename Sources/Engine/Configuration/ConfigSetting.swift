import Foundation
import Secrets
import VRAModels

/// A setting's value once checked against its `ConfigKeySpec.Kind`.
public enum ConfigSetting: Sendable, Hashable, CustomStringConvertible {
  case text(String)
  case flag(Bool)
  case number(Int)
  case duration(Duration)

  public var text: String? { if case .text(let value) = self { value } else { nil } }
  public var flag: Bool? { if case .flag(let value) = self { value } else { nil } }
  public var number: Int? { if case .number(let value) = self { value } else { nil } }
  public var duration: Duration? { if case .duration(let value) = self { value } else { nil } }

  public var description: String {
    switch self {
    case .text(let value): value
    case .flag(let value): String(value)
    case .number(let value): String(value)
    case .duration(let value): ConfigSetting.format(value)
    }
  }

  /// `1.5s`, `500ms`, `2m`: the way durations are written in files.
  static func format(_ duration: Duration) -> String {
    let milliseconds = duration.milliseconds
    if milliseconds % 60_000 == 0, milliseconds > 0 { return "\(milliseconds / 60_000)m" }
    if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
    return "\(milliseconds)ms"
  }
}

extension ConfigKeySpec.Kind {
  /// Checks a value written as text (a variable, a flag, or a file's value in its text form);
  /// the error is the message for the user.
  public func check(_ raw: String) -> Result<ConfigSetting, ConfigValueError> {
    let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    let failure = ConfigValueError(message: "expected \(expectation), found '\(raw)'")
    switch self {
    case .secret where SecretReference.isReference(text):
      do {
        _ = try SecretReference(parsing: text)
        return .success(.text(text))
      } catch {
        return .failure(ConfigValueError(message: "\(error)"))
      }
    case .string, .path, .secret:
      return text.isEmpty ? .failure(ConfigValueError(message: "must not be empty")) : .success(.text(text))
    case .url:
      guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
        url.host?.isEmpty == false
      else { return .failure(failure) }
      return .success(.text(text))
    case .bool:
      switch text.lowercased() {
      case "true", "1", "yes": return .success(.flag(true))
      case "false", "0", "no": return .success(.flag(false))
      default: return .failure(failure)
      }
    case .duration:
      guard let duration = PlanDurationParser.parse(text), duration > .zero else { return .failure(failure) }
      return .success(.duration(duration))
    case .integer(let range):
      guard let number = Int(text), range.contains(number) else { return .failure(failure) }
      return .success(.number(number))
    case .choice(let values):
      guard values.contains(text) else {
        let near = values.first { $0.lowercased() == text.lowercased() }
        return .failure(
          ConfigValueError(
            message: failure.message, hint: near.map { "did you mean '\($0)'? values are case-sensitive" }))
      }
      return .success(.text(text))
    }
  }
}

/// Why a value does not fit its key.
public struct ConfigValueError: Error, Sendable, Hashable {
  public var message: String
  public var hint: String?
}
