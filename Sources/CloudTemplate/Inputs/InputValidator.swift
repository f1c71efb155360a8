/// Checks input values against a template's inputs: vRA's request-time rules, applied offline.
///
/// Rules: every input without a default must be given; unknown names are rejected with a
/// suggestion; each value must satisfy its schema. Defaults fill the inputs not given. All
/// violations are collected in one pass.
public enum InputValidator {
  public static func validate(_ inputs: [String: JSONValue], against template: Template) -> InputValidationResult {
    var bound: [String: JSONValue] = [:]
    var violations: [InputViolation] = []
    let declared = Set(template.inputs.map(\.name))
    for name in inputs.keys.sorted() where !declared.contains(name) {
      let suggestion = NameSuggester.suggestion(for: name, among: template.inputs.map(\.name))
      violations.append(
        InputViolation(
          path: JSONPointer.appending(name, to: ""), rule: "unknownInput",
          message: "the template has no input '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")))
    }
    var checker = SchemaChecker()
    for input in template.inputs {
      let path = JSONPointer.appending(input.name, to: "")
      if let value = inputs[input.name] {
        bound[input.name] = value
        if input.schema.reference != nil { continue }  // A property group: vRA knows its shape, we do not.
        checker.check(value, against: input.schema, path: path, redacted: false)
      } else if let defaultValue = input.defaultValue {
        // An invalid literal default is a template error (TemplateValidator); a dynamic one is vRA's to resolve.
        bound[input.name] = defaultValue
      } else {
        violations.append(
          InputViolation(
            path: path, rule: "required",
            message: "input '\(input.name)' has no default and must be given", location: input.location))
      }
    }
    violations.append(contentsOf: checker.violations)
    return InputValidationResult(boundInputs: bound, violations: violations)
  }

  /// Violations of one value against one schema (used for defaults and by tests).
  static func violations(of value: JSONValue, against schema: InputSchema, path: String) -> [InputViolation] {
    var checker = SchemaChecker()
    checker.check(value, against: schema, path: path, redacted: false)
    return checker.violations
  }
}
