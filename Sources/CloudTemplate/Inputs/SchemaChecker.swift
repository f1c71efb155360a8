/// Checks one value against an `InputSchema` the way a JSON Schema validator does, collecting every
/// violation (each keyword applies only to values of its own type, as JSON Schema specifies).
struct SchemaChecker {
  private(set) var violations: [InputViolation] = []

  /// - Parameter redacted: the value belongs to an `encrypted` input; never show it.
  mutating func check(_ value: JSONValue, against schema: InputSchema, path: String, redacted: Bool) {
    // A value holding an encrypted part anywhere is never shown whole.
    let redacted = redacted || schema.containsEncrypted
    let shown = redacted ? InputViolation.redacted : Self.display(value)
    var found: [InputViolation] = []
    defer { violations.append(contentsOf: found) }
    func fail(_ rule: String, _ message: String) {
      found.append(
        InputViolation(path: path, rule: rule, message: message, value: shown, location: schema.location(of: rule)))
    }
    if let type = schema.type, !type.accepts(value) {
      fail(
        "type",
        "\(shown) is \(Self.article(value.typeName)) \(value.typeName), expected \(Self.article(type.rawValue)) \(type.rawValue)"
      )
      return  // Further keywords would only repeat the type problem.
    }
    if let allowed = schema.enumValues, !allowed.contains(where: { JSONEquality.equal($0, value) }) {
      let list = redacted ? "" : ": " + allowed.map(Self.display).joined(separator: ", ")
      fail("enum", "\(shown) is not one of the allowed values\(list)")
    }
    if let constant = schema.constValue, !JSONEquality.equal(constant, value) {
      fail("const", "\(shown) must be \(redacted ? "the fixed value" : Self.display(constant))")
    }
    if let choices = schema.oneOf {
      let matching = choices.filter { $0.value.map { JSONEquality.equal($0, value) } ?? false }.count
      if matching != 1 {
        let list = redacted ? "" : ": " + choices.compactMap { $0.value.map(Self.display) }.joined(separator: ", ")
        fail(
          "oneOf",
          matching == 0
            ? "\(shown) is not one of the choices\(list)" : "\(shown) matches \(matching) choices, expected exactly one"
        )
      }
    }
    switch value {
    case .string(let text):
      checkString(text, schema: schema, shown: shown, fail: fail)
    case .int, .double:
      checkNumber(value.doubleValue!, schema: schema, shown: shown, fail: fail)
    case .array(let elements):
      checkArray(elements, schema: schema, path: path, redacted: redacted, fail: fail)
    case .object(let object):
      checkObject(object, schema: schema, path: path, redacted: redacted, fail: fail)
    case .bool, .null:
      break
    }
  }

  private func checkString(_ text: String, schema: InputSchema, shown: String, fail: (String, String) -> Void) {
    // JSON Schema counts characters as code points.
    let length = text.unicodeScalars.count
    if let minimum = schema.minLength, length < minimum {
      fail("minLength", "\(shown) is shorter than \(minimum) character\(minimum == 1 ? "" : "s")")
    }
    if let maximum = schema.maxLength, length > maximum {
      fail("maxLength", "\(shown) is longer than \(maximum) character\(maximum == 1 ? "" : "s")")
    }
    if let pattern = schema.pattern {
      if length > PatternSafety.maxMatchedLength {
        fail("pattern", "the value is too long (\(length) characters) to be matched against the pattern")
      } else if PatternSafety.matches(text, pattern: pattern) == false {
        fail("pattern", "\(shown) does not match the pattern \(pattern)")
      }
    }
  }

  private func checkNumber(_ number: Double, schema: InputSchema, shown: String, fail: (String, String) -> Void) {
    if let minimum = schema.minimum, number < minimum {
      fail("minimum", "\(shown) is less than the minimum \(Self.display(minimum))")
    }
    if let maximum = schema.maximum, number > maximum {
      fail("maximum", "\(shown) is greater than the maximum \(Self.display(maximum))")
    }
    if let minimum = schema.exclusiveMinimum, number <= minimum {
      fail("exclusiveMinimum", "\(shown) must be greater than \(Self.display(minimum))")
    }
    if let maximum = schema.exclusiveMaximum, number >= maximum {
      fail("exclusiveMaximum", "\(shown) must be less than \(Self.display(maximum))")
    }
  }

  private mutating func checkArray(
    _ elements: [JSONValue], schema: InputSchema, path: String, redacted: Bool, fail: (String, String) -> Void
  ) {
    if let minimum = schema.minItems, elements.count < minimum {
      fail("minItems", "the list has \(elements.count) item\(elements.count == 1 ? "" : "s"), fewer than \(minimum)")
    }
    if let maximum = schema.maxItems, elements.count > maximum {
      fail("maxItems", "the list has \(elements.count) items, more than \(maximum)")
    }
    if schema.uniqueItems {
      outer: for i in elements.indices {
        for j in elements.indices where j > i && JSONEquality.equal(elements[i], elements[j]) {
          fail("uniqueItems", "items \(i) and \(j) are equal; the list must not repeat items")
          break outer
        }
      }
    }
    if let items = schema.items {
      for (index, element) in elements.enumerated() {
        check(element, against: items, path: JSONPointer.appending(index, to: path), redacted: redacted)
      }
    }
  }

  private mutating func checkObject(
    _ object: [String: JSONValue], schema: InputSchema, path: String, redacted: Bool, fail: (String, String) -> Void
  ) {
    for name in schema.required where object[name] == nil {
      violations.append(
        InputViolation(
          path: JSONPointer.appending(name, to: path), rule: "required", message: "'\(name)' is required",
          location: schema.location(of: "required")))
    }
    for property in schema.properties {
      if let value = object[property.name] {
        check(value, against: property.schema, path: JSONPointer.appending(property.name, to: path), redacted: redacted)
      }
    }
    if !schema.additionalPropertiesAllowed {
      let known = Set(schema.properties.map(\.name))
      for name in object.keys.sorted() where !known.contains(name) {
        violations.append(
          InputViolation(
            path: JSONPointer.appending(name, to: path), rule: "additionalProperties",
            message: "'\(name)' is not an allowed property", location: schema.location(of: "additionalProperties")))
      }
    }
  }

  static func display(_ value: JSONValue) -> String {
    JSONText.render(value)
  }

  static func display(_ number: Double) -> String {
    number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
  }

  private static func article(_ word: String) -> String {
    word.first.map { "aeiou".contains($0) } == true ? "an" : "a"
  }
}
