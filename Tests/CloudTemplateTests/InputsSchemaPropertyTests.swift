import Foundation
import PropertyBased
import Testing

@testable import CloudTemplate

/// InputValidator must give the same accept/reject answer as a standard JSON Schema validator run on
/// the schema `InputsSchema.jsonSchema(for:)` returns. The oracle is Python's `jsonschema` package
/// (`python3 -m pip install jsonschema`; `.ci/run` installs it): every generated (schema, value) pair
/// is written to one JSON-lines file and checked by a single `python3` process.
@Suite("InputsSchema and InputValidator agree with a standard JSON Schema validator", .timeLimit(.minutes(1)))
struct InputsSchemaPropertyTests {
  /// A generated template and a generated set of input values.
  struct Case: Sendable, CustomStringConvertible {
    var templateText: String
    var inputs: [String: JSONValue]
    var description: String { "inputs \(JSONText.render(.object(inputs))) for template\n\(templateText)" }
  }

  static let caseCount = 600

  @Test("accept/reject agrees on generated templates and inputs")
  func agreement() async throws {
    // A fresh seed each run, printed on failure; VRA_PROPERTY_SEED replays one.
    let given = ProcessInfo.processInfo.environment["VRA_PROPERTY_SEED"]
    var rng = try given.map { try #require(Xoshiro(seed: $0), "VRA_PROPERTY_SEED is not a seed") } ?? Xoshiro()
    let seed = rng.currentSeed
    var checked: [(Case, schema: JSONValue, local: InputValidationResult)] = []
    for _ in 0..<Self.caseCount {
      let testCase = Self.cases.run(using: &rng)
      let template: Template
      do {
        template = try TemplateParser.parse(testCase.templateText, fileName: "generated.yaml")
      } catch {
        Issue.record("generated template does not parse: \(error)\n\(testCase.templateText)")
        continue
      }
      // An unusable pattern is never matched locally, so the generator must write only usable ones.
      #expect(!TemplateValidator.validate(template).contains { [.unsafePattern, .invalidPattern].contains($0.code) })
      let result = InputValidator.validate(testCase.inputs, against: template)
      // Every given value is bound as given; the rest get their defaults.
      for (name, value) in testCase.inputs where template.input(named: name) != nil {
        #expect(result.boundInputs[name] == value)
      }
      checked.append((testCase, InputsSchema.jsonSchema(for: template), result))
    }
    let verdicts = try await JSONSchemaOracle.validate(checked.map { ($0.schema, JSONValue.object($0.0.inputs)) })
    var accepted = 0
    var disagreements = 0
    for ((testCase, schema, local), standard) in zip(checked, verdicts) {
      accepted += standard ? 1 : 0
      guard local.isValid != standard else { continue }
      disagreements += 1
      if disagreements <= 5 {
        Issue.record(
          """
          jsonschema says \(standard ? "valid" : "invalid"), InputValidator says \(local.isValid ? "valid" : "invalid") \
          (seed \(seed)): \(local.violations)
          schema: \(JSONText.render(schema))
          \(testCase)
          """)
      }
    }
    #expect(disagreements == 0, "\(disagreements) of \(checked.count) cases disagree (seed \(seed))")
    // Both answers must be common, or agreement would prove little.
    #expect(accepted > checked.count / 10 && accepted < checked.count * 9 / 10, "\(accepted) accepted")
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

  @Test("the oracle itself rejects what JSON Schema rejects")
  func oracleSanity() async throws {
    let schema: JSONValue = [
      "type": "object", "required": ["n"], "additionalProperties": false,
      "properties": [
        "n": ["type": "integer", "minimum": 1, "maximum": 3], "s": ["type": "string", "maxLength": 2, "pattern": "^a"],
        "c": ["oneOf": [["title": "One", "const": 1], ["title": "Two", "const": 2]]],
      ],
    ]
    let cases: [(JSONValue, Bool)] = [
      (["n": 2], true), (["n": 2.0], true), (["n": 2.5], false), (["n": 4], false), (["s": "a"], false),
      (["n": 1, "s": "abc"], false), (["n": 1, "s": "ba"], false), (["n": 1, "x": 1], false), (["n": true], false),
      (["n": 1, "c": 2], true), (["n": 1, "c": 3], false), (["n": 1, "c": true], false),
    ]
    let verdicts = try await JSONSchemaOracle.validate(cases.map { (schema, $0.0) })
    #expect(verdicts == cases.map(\.1))
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
      String((0..<int(0...6)).map { _ in pick(["a", "b", "é", "z", "1"] as [Character]) })
    }

    mutating func number() -> JSONValue {
      chance(0.5) ? .int(int(-3...8)) : .double(Double(int(-6...16)) / 2)
    }

    /// Safe patterns (PatternSafety accepts them) whose meaning is the same in ECMA 262, ICU and Python.
    static let patterns = [
      "^[ab]+$", "a", "^b", "z$", "^[a-z1]{2,4}$", "é", "^(ab|z)+$", "\\d", "^[^a]*$", "^.{0,3}$",
    ]

    /// A value of `type` for `enum`, `const` and `oneOf` lists.
    mutating func literal(of type: String) -> JSONValue {
      switch type {
      case "string": .string(string())
      case "integer": .int(int(-3...8))
      case "number": number()
      default: .bool(chance(0.5))
      }
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
        if chance(0.35) { definition["pattern"] = .string(pick(Self.patterns)) }
      case "integer", "number":
        if chance(0.5) { definition["minimum"] = number() }
        if chance(0.5) { definition["maximum"] = number() }
      case "object":
        var properties: [String: JSONValue] = [:]
        for name in ["p", "q", "r"].prefix(int(0...3)) { properties[name] = inputDefinition(depth: depth + 1) }
        definition["properties"] = .object(properties)
        let required = properties.keys.sorted().filter { _ in chance(0.5) }
        if !required.isEmpty { definition["required"] = .array(required.map(JSONValue.string)) }
        if chance(0.5) { definition["additionalProperties"] = false }
      case "array":
        definition["items"] = inputDefinition(depth: depth + 1)
        if chance(0.3) { definition["minItems"] = .int(int(0...2)) }
        if chance(0.3) { definition["maxItems"] = .int(int(1...3)) }
      default:
        break
      }
      if ["string", "integer", "number", "boolean"].contains(type) {
        switch int(0...9) {
        case 0, 1: definition["enum"] = .array((0..<int(1...3)).map { _ in literal(of: type) })
        case 2, 3:
          // vRA's drop-down form; a repeated const makes a value match two choices, which oneOf refuses.
          var choices: [JSONValue] = (0..<int(1...3)).map { index in
            ["title": .string("Choice \(index)"), "const": literal(of: type)]
          }
          if chance(0.2), let first = choices.first { choices.append(first) }
          definition["oneOf"] = .array(choices)
        case 4: definition["const"] = literal(of: type)
        default: break
        }
      }
      if chance(0.4) { definition["default"] = value(near: .object(definition)) }
      if chance(0.2) { definition["title"] = "Title" }
      return .object(definition)
    }

    /// A value that often fits the definition and often sits just outside it.
    mutating func value(near definition: JSONValue) -> JSONValue {
      guard chance(0.85) else { return anyValue(depth: 1) }
      if let options = definition["enum"]?.arrayValue, chance(0.6) { return pick(options) }
      if let choices = definition["oneOf"]?.arrayValue, chance(0.6), let value = pick(choices)["const"] {
        return value
      }
      if let constant = definition["const"], chance(0.6) { return constant }
      switch definition["type"]?.stringValue {
      case "string":
        if chance(0.3) { return .string(pick(["ab", "abab", "z", "bz", "a1", "1", "é", "aa1z"])) }
        return .string(string())
      case "integer": return chance(0.8) ? .int(int(-3...8)) : .double(Double(int(-3...8)))
      case "number": return number()
      case "boolean": return .bool(chance(0.5))
      case "array":
        let items = definition["items"] ?? [:]
        return .array((0..<int(0...4)).map { _ in value(near: items) })
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
