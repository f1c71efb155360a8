import PropertyBased
import Testing

@testable import CloudTemplate

/// InputValidator must give the same accept/reject answer as a standard JSON Schema validator run on
/// the schema `InputsSchema.jsonSchema(for:)` returns. The check below is a minimal, independent JSON
/// Schema validator (type, enum, minimum/maximum, minLength/maxLength, required, properties,
/// additionalProperties: false, items) written from the specification, not from the validator's code.
@Suite("InputsSchema and InputValidator agree with a standard JSON Schema check")
struct InputsSchemaPropertyTests {
  /// A generated template and a generated set of input values.
  struct Case: Sendable, CustomStringConvertible {
    var templateText: String
    var inputs: [String: JSONValue]
    var description: String { "inputs \(JSONText.render(.object(inputs))) for template\n\(templateText)" }
  }

  @Test("accept/reject agrees on generated templates and inputs")
  func agreement() async throws {
    await propertyCheck(count: 600, input: Self.cases) { testCase in
      let template: Template
      do {
        template = try TemplateParser.parse(testCase.templateText, fileName: "generated.yaml")
      } catch {
        Issue.record("generated template does not parse: \(error)")
        return
      }
      let schema = InputsSchema.jsonSchema(for: template)
      let expected = MiniSchema.isValid(.object(testCase.inputs), against: schema)
      let result = InputValidator.validate(testCase.inputs, against: template)
      #expect(result.isValid == expected, "\(result.violations)")
      // Every given value is bound as given; the rest get their defaults.
      for (name, value) in testCase.inputs where template.input(named: name) != nil {
        #expect(result.boundInputs[name] == value)
      }
    }
  }

  @Test("the schema's envelope is what vRA returns")
  func envelope() throws {
    let template = try Fixture.parse(
      """
      inputs:
        a: {type: string}
        b: {type: integer, default: 1}
        c: {$ref: /ref/property-groups/pg, type: object}
      resources:
        vm: {type: T}
      """)
    let schema = InputsSchema.jsonSchema(for: template)
    #expect(schema["type"] == "object")
    #expect(schema["additionalProperties"] == false)
    #expect(schema["required"] == ["a", "c"])
    #expect(schema["properties"]?["b"] == ["type": "integer", "default": 1])
    #expect(schema["properties"]?["c"] == ["type": "object"])
  }

  @Test("the checker used as the oracle itself rejects what JSON Schema rejects")
  func oracleSanity() {
    let schema: JSONValue = [
      "type": "object", "required": ["n"], "additionalProperties": false,
      "properties": ["n": ["type": "integer", "minimum": 1, "maximum": 3], "s": ["type": "string", "maxLength": 2]],
    ]
    #expect(MiniSchema.isValid(["n": 2], against: schema))
    #expect(MiniSchema.isValid(["n": 2.0], against: schema))
    #expect(!MiniSchema.isValid(["n": 2.5], against: schema))
    #expect(!MiniSchema.isValid(["n": 4], against: schema))
    #expect(!MiniSchema.isValid(["s": "a"], against: schema))
    #expect(!MiniSchema.isValid(["n": 1, "s": "abc"], against: schema))
    #expect(!MiniSchema.isValid(["n": 1, "x": 1], against: schema))
    #expect(!MiniSchema.isValid(["n": true], against: schema))
  }

  // MARK: Generators

  static let cases = Generator<Case, Shrink.None<Case>> { rng in
    var draw = Draw(rng: rng)
    let count = draw.int(1...4)
    var definitions: [(String, JSONValue)] = []
    for index in 0..<count {
      definitions.append(("in\(index)", draw.inputDefinition(depth: 0)))
    }
    var text = "inputs:\n"
    for (name, definition) in definitions {
      text += "  \(name): \(JSONText.render(definition))\n"
    }
    text += "resources:\n  vm:\n    type: T\n"
    var inputs: [String: JSONValue] = [:]
    for (name, definition) in definitions where draw.chance(0.8) {
      inputs[name] = draw.value(near: definition)
    }
    if draw.chance(0.1) { inputs["unknown"] = draw.anyValue(depth: 1) }
    rng = draw.rng
    return Case(templateText: text, inputs: inputs)
  }

  /// Random choices over the seeded generator PropertyBased hands in, so failures are reproducible.
  struct Draw {
    var rng: any SeededRandomNumberGenerator

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < probability }
    mutating func pick<T>(_ options: [T]) -> T { options[int(0...(options.count - 1))] }

    mutating func string() -> String {
      String((0..<int(0...6)).map { _ in pick(["a", "b", "é", "z"] as [Character]) })
    }

    mutating func number() -> JSONValue {
      chance(0.5) ? .int(int(-3...8)) : .double(Double(int(-6...16)) / 2)
    }

    /// An input definition using the keywords under test.
    mutating func inputDefinition(depth: Int) -> JSONValue {
      var definition: [String: JSONValue] = [:]
      let types =
        depth == 0
        ? ["string", "integer", "number", "boolean", "object", "array"] : ["string", "integer", "number", "boolean"]
      let type = pick(types)
      definition["type"] = .string(type)
      switch type {
      case "string":
        if chance(0.4) { definition["minLength"] = .int(int(0...3)) }
        if chance(0.4) { definition["maxLength"] = .int(int(1...5)) }
        if chance(0.3) { definition["enum"] = .array((0..<int(1...3)).map { _ in .string(string()) }) }
      case "integer", "number":
        if chance(0.5) { definition["minimum"] = number() }
        if chance(0.5) { definition["maximum"] = number() }
        if chance(0.2) { definition["enum"] = .array((0..<int(1...3)).map { _ in number() }) }
      case "object":
        var properties: [String: JSONValue] = [:]
        for name in ["p", "q", "r"].prefix(int(0...3)) { properties[name] = inputDefinition(depth: depth + 1) }
        definition["properties"] = .object(properties)
        let required = properties.keys.sorted().filter { _ in chance(0.5) }
        if !required.isEmpty { definition["required"] = .array(required.map(JSONValue.string)) }
        if chance(0.5) { definition["additionalProperties"] = false }
      case "array":
        definition["items"] = inputDefinition(depth: depth + 1)
      default:
        break
      }
      if chance(0.4) { definition["default"] = value(near: .object(definition)) }
      if chance(0.2) { definition["title"] = "Title" }
      return .object(definition)
    }

    /// A value that often fits the definition and often sits just outside it.
    mutating func value(near definition: JSONValue) -> JSONValue {
      guard chance(0.85) else { return anyValue(depth: 1) }
      if let options = definition["enum"]?.arrayValue, chance(0.6) { return pick(options) }
      switch definition["type"]?.stringValue {
      case "string": return .string(string())
      case "integer": return chance(0.8) ? .int(int(-3...8)) : .double(Double(int(-3...8)))
      case "number": return number()
      case "boolean": return .bool(chance(0.5))
      case "array":
        let items = definition["items"] ?? [:]
        return .array((0..<int(0...3)).map { _ in value(near: items) })
      case "object":
        var object: [String: JSONValue] = [:]
        for (name, schema) in definition["properties"]?.objectValue ?? [:] where chance(0.7) {
          object[name] = value(near: schema)
        }
        if chance(0.15) { object["extra"] = .int(1) }
        return .object(object)
      default: return anyValue(depth: 1)
      }
    }

    mutating func anyValue(depth: Int) -> JSONValue {
      switch int(0...(depth > 0 ? 6 : 4)) {
      case 0: return .null
      case 1: return .bool(chance(0.5))
      case 2: return number()
      case 3, 4: return .string(string())
      case 5: return .array((0..<int(0...2)).map { _ in anyValue(depth: depth - 1) })
      default: return .object(["p": anyValue(depth: depth - 1)])
      }
    }
  }
}

/// A minimal JSON Schema (draft 2020-12 semantics) checker for the keywords the generator uses.
enum MiniSchema {
  static func isValid(_ value: JSONValue, against schema: JSONValue) -> Bool {
    guard case .object(let keywords) = schema else { return true }
    if let type = keywords["type"]?.stringValue, !has(value, type: type) { return false }
    if let options = keywords["enum"]?.arrayValue, !options.contains(where: { equal($0, value) }) { return false }
    switch value {
    case .int, .double:
      let number = value.doubleValue!
      if let minimum = keywords["minimum"]?.doubleValue, number < minimum { return false }
      if let maximum = keywords["maximum"]?.doubleValue, number > maximum { return false }
    case .string(let text):
      let length = text.unicodeScalars.count
      if let minimum = keywords["minLength"]?.intValue, length < minimum { return false }
      if let maximum = keywords["maxLength"]?.intValue, length > maximum { return false }
    case .array(let elements):
      if let items = keywords["items"], !elements.allSatisfy({ isValid($0, against: items) }) { return false }
    case .object(let members):
      let properties = keywords["properties"]?.objectValue ?? [:]
      for name in keywords["required"]?.arrayValue ?? [] {
        guard let name = name.stringValue, members[name] != nil else { return false }
      }
      for (name, member) in members {
        if let propertySchema = properties[name] {
          if !isValid(member, against: propertySchema) { return false }
        } else if keywords["additionalProperties"] == false {
          return false
        }
      }
    case .bool, .null:
      break
    }
    return true
  }

  static func has(_ value: JSONValue, type: String) -> Bool {
    switch (type, value) {
    case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array), ("null", .null): true
    case ("number", .int), ("number", .double), ("integer", .int): true
    case ("integer", .double(let number)): number == number.rounded()
    default: false
    }
  }

  static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
    if let left = lhs.doubleValue, let right = rhs.doubleValue { return left == right }
    switch (lhs, rhs) {
    case (.array(let left), .array(let right)):
      return left.count == right.count && zip(left, right).allSatisfy { equal($0, $1) }
    case (.object(let left), .object(let right)):
      return left.keys == right.keys && left.allSatisfy { key, value in equal(value, right[key]!) }
    default:
      return lhs == rhs
    }
  }
}
