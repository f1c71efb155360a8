import Testing

@testable import CloudTemplate

@Suite("InputValidator: defaults, required inputs, unknown names, every keyword, redaction")
struct InputValidatorTests {
  static let text = """
    inputs:
      size:
        type: string
        enum: [small, medium, large]
        default: small
      count:
        type: integer
        minimum: 1
        maximum: 5
      ratio:
        type: number
        exclusiveMinimum: 0
        exclusiveMaximum: 1
        default: 0.5
      hostname:
        type: string
        minLength: 3
        maxLength: 8
        pattern: '^[a-z][a-z0-9-]*$'
        default: web
      env:
        type: string
        oneOf:
          - {title: Production, const: prd}
          - {title: Development, const: dev}
        default: dev
      fixed:
        type: string
        const: same
        default: same
      enabled:
        type: boolean
        default: false
      disks:
        type: array
        minItems: 1
        maxItems: 2
        uniqueItems: true
        items:
          type: object
          properties:
            size: {type: integer, minimum: 1}
            label: {type: string}
          required: [size]
          additionalProperties: false
        default: [{size: 10}]
      password:
      ## The canary must never be shown.
        type: string
        encrypted: true
        minLength: 12
        pattern: '^[A-Z]'
        enum: [CANARY-ALLOWED-VALUE-1234]
        default: CANARY-ALLOWED-VALUE-1234
    resources:
      vm:
        type: T
    """

  static var template: Template { get throws { try Fixture.parse(text) } }

  @Test("defaults fill the inputs not given; the required one must be given")
  func defaultsAndRequired() throws {
    let template = try Self.template
    #expect(TemplateValidator.validate(template).errors.isEmpty)
    let missing = InputValidator.validate([:], against: template)
    #expect(!missing.isValid)
    #expect(missing.violations.map(\.rule) == ["required"])
    #expect(missing.violations.first?.path == "/count")
    #expect(missing.violations.first?.line == 6)
    let given = InputValidator.validate(["count": 3], against: template)
    #expect(given.isValid, "\(given.violations)")
    #expect(given.boundInputs["count"] == 3)
    #expect(given.boundInputs["size"] == "small")
    #expect(given.boundInputs["disks"] == [["size": 10]])
    #expect(given.boundInputs.count == template.inputs.count)
  }

  @Test("an unknown input name is rejected with a suggestion")
  func unknownName() throws {
    let result = InputValidator.validate(["count": 1, "hostnme": "web", "zzzzzzzz": 1], against: try Self.template)
    #expect(result.violations.map(\.rule) == ["unknownInput", "unknownInput"])
    #expect(result.violations.map(\.path) == ["/hostnme", "/zzzzzzzz"])
    #expect(result.violations[0].message.contains("did you mean 'hostname'?"))
    #expect(!result.violations[1].message.contains("did you mean"))
  }

  @Test(
    "each keyword rejects what it should, with the path and the template line of the rule",
    arguments: [
      ("count", JSONValue.string("3"), "type", "/count", 7),
      ("count", 2.5, "type", "/count", 7),
      ("count", 0, "minimum", "/count", 8),
      ("count", 6, "maximum", "/count", 9),
      ("ratio", 0, "exclusiveMinimum", "/ratio", 12),
      ("ratio", 1.0, "exclusiveMaximum", "/ratio", 13),
      ("size", "huge", "enum", "/size", 4),
      ("hostname", "ab", "minLength", "/hostname", 17),
      ("hostname", "abcdefghi", "maxLength", "/hostname", 18),
      ("hostname", "Web", "pattern", "/hostname", 19),
      ("env", "qa", "oneOf", "/env", 23),
      ("fixed", "other", "const", "/fixed", 29),
      ("enabled", "true", "type", "/enabled", 32),
      ("disks", [], "minItems", "/disks", 36),
      ("disks", [["size": 1], ["size": 2], ["size": 3]], "maxItems", "/disks", 37),
      ("disks", [["size": 1], ["size": 1.0]], "uniqueItems", "/disks", 38),
      ("disks", [["label": "x"]], "required", "/disks/0/size", 44),
      ("disks", [["size": 1, "extra": true]], "additionalProperties", "/disks/0/extra", 45),
      ("disks", [["size": 0]], "minimum", "/disks/0/size", 42),
      ("disks", [["size": "1"]], "type", "/disks/0/size", 42),
      ("disks", ["a"], "type", "/disks/0", 40),
    ] as [(String, JSONValue, String, String, Int)])
  func keywords(name: String, value: JSONValue, rule: String, path: String, line: Int) throws {
    var inputs: [String: JSONValue] = ["count": 3]
    inputs[name] = value
    let result = InputValidator.validate(inputs, against: try Self.template)
    #expect(result.violations.map(\.rule) == [rule])
    #expect(result.violations.first?.path == path)
    #expect(result.violations.first?.line == line)
    #expect(result.violations.first?.value != nil || rule == "required" || rule == "additionalProperties")
    #expect(result.boundInputs[name] == value)
  }

  @Test("values at the boundaries are accepted")
  func boundaries() throws {
    let template = try Self.template
    let inputs: [String: JSONValue] = [
      "count": 5, "ratio": 0.999, "hostname": "abcdefgh", "env": "prd", "size": "large",
      "disks": [["size": 1, "label": "a"], ["size": 2]], "enabled": true,
    ]
    let result = InputValidator.validate(inputs, against: template)
    #expect(result.isValid, "\(result.violations)")
    // 5.0 is an integer under JSON Schema rules; 1 equals 1.0 for enum and uniqueItems.
    #expect(InputValidator.validate(["count": 5.0], against: template).isValid)
  }

  @Test("every violation is collected in one pass")
  func onePass() throws {
    let result = InputValidator.validate(
      ["count": 0, "size": "huge", "hostname": "A", "unknown": 1, "disks": []], against: try Self.template)
    #expect(
      Set(result.violations.map(\.rule)) == ["unknownInput", "minimum", "enum", "minLength", "pattern", "minItems"])
  }

  @Test(
    "an encrypted input's value never appears in a message or a value",
    arguments: ["tiny-CNRY", "lower-case-canary-but-long", "SECRET-CANARY-98765"])
  func redaction(canary: String) throws {
    let result = InputValidator.validate(["count": 3, "password": .string(canary)], against: try Self.template)
    #expect(!result.isValid)
    #expect(result.violations.allSatisfy { $0.path == "/password" })
    for violation in result.violations {
      #expect(!violation.message.contains(canary))
      #expect(!violation.description.contains(canary))
      #expect(!(violation.value ?? "").contains(canary))
      #expect(violation.value == InputViolation.redacted)
      // The allowed value is secret too: it must not be listed.
      #expect(!violation.message.contains("CANARY-ALLOWED-VALUE-1234"))
    }
  }

  @Test("a nested value of an encrypted object is redacted too")
  func nestedRedaction() throws {
    let template = try Fixture.parse(
      """
      inputs:
        credentials:
          type: object
          encrypted: true
          properties:
            token: {type: string, maxLength: 4}
      resources:
        vm:
          type: T
      """)
    let canary = "NESTED-CANARY-5555"
    let result = InputValidator.validate(["credentials": ["token": .string(canary)]], against: template)
    #expect(result.violations.map(\.rule) == ["maxLength"])
    #expect(result.violations.allSatisfy { !$0.message.contains(canary) && !($0.value ?? "").contains(canary) })
  }

  @Test("a property-group input is bound without being checked")
  func propertyGroup() throws {
    let template = try Fixture.parse(
      "inputs:\n  pg:\n    $ref: /ref/property-groups/x\nresources:\n  vm:\n    type: T\n")
    let result = InputValidator.validate(["pg": ["anything": 1]], against: template)
    #expect(result.isValid)
    #expect(result.boundInputs["pg"] == ["anything": 1])
  }
}
