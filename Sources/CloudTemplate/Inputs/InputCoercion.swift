/// Strict conversion of input values written as text (`--input name=value`, `VRA_INPUT_<NAME>`) to the
/// type the template declares, before `InputValidator` checks them.
///
/// Rules: `"5"` is an integer, `"5.5"` is not; only `true` and `false` are booleans; arrays and objects
/// are JSON text; a string input keeps the text as written. An input the template does not declare
/// keeps its text, so `InputValidator` can reject the name with a suggestion.
public enum InputCoercion {
  /// The values converted, and a `coercion` violation for each text that is not of its input's type.
  public static func coerce(
    _ texts: [String: String], against template: Template
  ) -> (
    values: [String: JSONValue], violations: [InputViolation]
  ) {
    var values: [String: JSONValue] = [:]
    var violations: [InputViolation] = []
    for name in texts.keys.sorted() {
      let text = texts[name]!
      guard let input = template.input(named: name) else {
        values[name] = .string(text)
        continue
      }
      switch coerce(text, for: input) {
      case .success(let value): values[name] = value
      case .failure(let violation): violations.append(violation)
      }
    }
    return (values, violations)
  }

  /// One text converted to `input`'s declared type.
  public static func coerce(_ text: String, for input: TemplateInput) -> Result<JSONValue, InputViolation> {
    guard let type = input.type, let value = value(of: text, as: type) else {
      if input.type == nil { return .success(.string(text)) }
      let shown = input.schema.containsEncrypted ? InputViolation.redacted : JSONText.render(.string(text))
      let expected = input.type!.rawValue
      return .failure(
        InputViolation(
          path: JSONPointer.appending(input.name, to: ""), rule: "coercion",
          message:
            "\(shown) is not \(expected == "integer" || expected == "array" || expected == "object" ? "an" : "a") "
            + "\(expected)\(hint(for: input.type!))",
          value: shown, location: input.schema.location(of: "type")))
    }
    return .success(value)
  }

  static func value(of text: String, as type: InputType) -> JSONValue? {
    switch type {
    case .string:
      return .string(text)
    case .integer:
      return Int(text).map(JSONValue.int)
    case .number:
      if let integer = Int(text) { return .int(integer) }
      guard isDecimal(text), let number = Double(text), number.isFinite else { return nil }
      return .double(number)
    case .boolean:
      return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
    case .array, .object:
      guard let value = JSONText.parse(text), type.accepts(value) else { return nil }
      return value
    }
  }

  /// Plain decimal notation only: `Double("nan")`, `"inf"` and hexadecimal floats are not numbers here.
  private static func isDecimal(_ text: String) -> Bool {
    !text.isEmpty
      && text.utf8.allSatisfy { byte in
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
          || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "e")
          || byte == UInt8(ascii: "E")
      }
  }

  private static func hint(for type: InputType) -> String {
    switch type {
    case .boolean: " (write true or false)"
    case .array: " (write a JSON array, e.g. [\"a\",\"b\"])"
    case .object: " (write a JSON object, e.g. {\"key\":\"value\"})"
    default: ""
    }
  }
}
