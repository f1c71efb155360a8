import Foundation
import VRAModels

/// The checks a check's settings must pass: written literally, when the plan is read; holding
/// references, once they are resolved when the stage starts.
extension StageCheck {
  public struct SettingProblem: Sendable, Hashable {
    public var message: String
    public var hint: String?
  }

  /// An `http://` or `https://` URL with a host.
  public static func problem(url text: String) -> SettingProblem? {
    guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
      return SettingProblem(message: "'url' is not a URL: '\(text)'", hint: "write http://HOST[:PORT]/PATH")
    }
    guard scheme == "http" || scheme == "https" else {
      return SettingProblem(
        message: "'url' must be http or https, found '\(scheme)'", hint: "use a tcp check for other protocols")
    }
    guard let host = components.host, !host.isEmpty else {
      return SettingProblem(message: "'url' has no host: '\(text)'")
    }
    return nil
  }

  /// A TCP port, 1-65535, written as a number or as text holding one.
  public static func port(from value: JSONValue) -> (port: Int?, problem: SettingProblem?) {
    let number: Int? =
      switch value {
      case .int(let port): port
      case .string(let text): Int(text.trimmingCharacters(in: .whitespaces))
      case .double(let port) where port == port.rounded(): Int(port)
      default: nil
      }
    guard let number else {
      return (nil, SettingProblem(message: "'port' is not a number: \(PlanResolver.text(of: value))"))
    }
    guard (1...65535).contains(number) else {
      return (nil, SettingProblem(message: "'port' must be 1-65535, found \(number)"))
    }
    return (number, nil)
  }
}
