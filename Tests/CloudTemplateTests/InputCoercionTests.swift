import Testing

@testable import CloudTemplate

@Suite("InputCoercion: strict conversion of text values to the declared type")
struct InputCoercionTests {
  static let template = """
    inputs:
      name: {type: string}
      count: {type: integer}
      ratio: {type: number}
      flag: {type: boolean}
      tags: {type: array}
      meta: {type: object}
      secret: {type: integer, encrypted: true}
      untyped: {default: x}
    resources:
      vm: {type: T}
    """

  @Test(
    "accepted texts",
    arguments: [
      ("name", "5", JSONValue.string("5")), ("name", "true", "true"), ("count", "5", 5), ("count", "-12", -12),
      ("ratio", "5", 5), ("ratio", "5.5", 5.5), ("ratio", "-1e3", -1000.0), ("flag", "true", true),
      ("flag", "false", false), ("tags", "[1,\"a\"]", [1, "a"]), ("meta", "{\"k\":[true]}", ["k": [true]]),
      ("untyped", "anything", "anything"),
    ] as [(String, String, JSONValue)])
  func accepted(name: String, text: String, expected: JSONValue) throws {
    let (values, violations) = InputCoercion.coerce([name: text], against: try Fixture.parse(Self.template))
    #expect(violations.isEmpty)
    #expect(values == [name: expected])
  }

  @Test(
    "rejected texts",
    arguments: [
      ("count", "5.5"), ("count", "five"), ("count", ""), ("count", "5 "), ("ratio", "nan"), ("ratio", "inf"),
      ("ratio", "0x10"), ("flag", "yes"), ("flag", "True"), ("flag", "1"), ("tags", "a,b"), ("tags", "{}"),
      ("meta", "[1]"), ("meta", "{bad json"),
    ])
  func rejected(name: String, text: String) throws {
    let (values, violations) = InputCoercion.coerce([name: text], against: try Fixture.parse(Self.template))
    #expect(values.isEmpty)
    #expect(violations.map(\.rule) == ["coercion"])
    #expect(violations.first?.path == "/\(name)")
    #expect(violations.first?.line != nil)
  }

  @Test("an encrypted input's text is never shown")
  func redacted() throws {
    let canary = "CANARY-COERCE-424242"
    let (_, violations) = InputCoercion.coerce(["secret": canary], against: try Fixture.parse(Self.template))
    #expect(violations.count == 1)
    #expect(violations.allSatisfy { !$0.message.contains(canary) && $0.value == InputViolation.redacted })
  }

  @Test("unknown names keep their text so the validator can suggest the right name")
  func unknownName() throws {
    let template = try Fixture.parse(Self.template)
    let (values, violations) = InputCoercion.coerce(["cuont": "3"], against: template)
    #expect(violations.isEmpty)
    #expect(values == ["cuont": "3"])
    let result = InputValidator.validate(values, against: template)
    #expect(result.violations.contains { $0.rule == "unknownInput" && $0.message.contains("did you mean 'count'?") })
  }
}
