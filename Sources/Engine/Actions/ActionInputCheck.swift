import CloudTemplate
import VRAModels

/// Checks an action's inputs against the input `schema` vRA lists with the action, offline and with
/// the validator template inputs go through: every problem at once, before anything is sent.
public enum ActionInputCheck {
  /// One problem per input; empty when vRA would take them.
  ///
  /// A property the schema does not list as `required` may be left out even without a default
  /// (vRA fills it or leaves it as it is); an input the schema does not know is refused.
  public static func violations(
    of inputs: [String: JSONValue], against schema: JSONValue?, actionId: String
  ) throws -> [InputViolation] {
    let template = try RemoteSource.template(from: schema ?? .object([:]), describing: "action \(actionId)")
    var required = Set<String>()
    if case .array(let names)? = schema?["required"] {
      for case .string(let name) in names { required.insert(name) }
    }
    return InputValidator.validate(inputs, against: template).violations.compactMap { violation in
      let name = String(violation.path.dropFirst().split(separator: "/").first ?? "")
      switch violation.rule {
      case "required" where !required.contains(name):
        return nil
      case "unknownInput":
        var renamed = violation
        renamed.message = violation.message.replacingOccurrences(
          of: "the template has no input", with: "action \(actionId) has no input")
        return renamed
      default:
        return violation
      }
    }
  }

  /// The names of the schema's inputs whose values are secrets (`encrypted: true`, as vRA marks a
  /// template's encrypted inputs in an action's schema).
  public static func encryptedInputs(of schema: JSONValue?) -> Set<String> {
    guard case .object(let properties)? = schema?["properties"] else { return [] }
    return Set(properties.compactMap { name, property in property["encrypted"] == .bool(true) ? name : nil })
  }

  /// `input 'cpuCount': must be at most 8; input 'x': ...`: the violations in one message.
  public static func describe(_ violations: [InputViolation]) -> String {
    violations.map { violation in
      let name = violation.path.dropFirst()
      return name.isEmpty ? violation.message : "input '\(name)': \(violation.message)"
    }.joined(separator: "; ")
  }
}
