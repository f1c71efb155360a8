import CloudTemplate

/// Carries user text through `PlanResolver` unchanged.
///
/// `deploy` builds a one-stage plan, and every string of a plan stage (its deployment name, its
/// input values) goes through `PlanResolver`, which reads `${...}` as a plan reference and has no
/// escape syntax of its own. A deploy's name and inputs are literal text: an input value may well
/// hold `${...}` (a script, a template snippet, a password). Rather than a second code path past
/// the resolver, every `${` is written as a reference to a private environment variable whose value
/// is `${`: the resolver substitutes each one exactly once and never rescans what it substituted, so
/// the text reaches vRA exactly as the user gave it, and no user text can name a stage, `run.id` or
/// an environment variable. The variable exists only in the environment handed to the Orchestrator.
public enum LiteralText {
  /// The environment variable the escaped text refers to.
  public static let variable = "VRA_ENGINE_LITERAL_DOLLAR_BRACE"
  /// What the Orchestrator's environment must map `variable` to.
  public static let environment = [variable: "${"]

  public static let escapedOpening = "${env.\(variable)}"

  /// `text` with every `${` replaced by a reference that resolves back to `${`.
  public static func escape(_ text: String) -> String {
    guard text.contains("${") else { return text }
    return text.replacingOccurrences(of: "${", with: escapedOpening)
  }

  /// Every string inside `value` escaped; object keys are not resolved, so they stay as they are.
  public static func escape(_ value: JSONValue) -> JSONValue {
    switch value {
    case .string(let text): .string(escape(text))
    case .array(let elements): .array(elements.map(escape))
    case .object(let object): .object(object.mapValues(escape))
    default: value
    }
  }
}
