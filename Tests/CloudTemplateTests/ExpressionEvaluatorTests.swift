import Testing

@testable import CloudTemplate

@Suite("ExpressionEvaluator: the references vRA resolves at provisioning time")
struct ExpressionEvaluatorTests {
  static let web: [[String: JSONValue]] = [
    ["address": "10.0.0.1", "tags": ["a", "b"], "disk": ["sizeGb": 20]],
    ["address": "10.0.0.2", "tags": ["c"], "disk": ["sizeGb": 40]],
  ]

  static let evaluator = ExpressionEvaluator(
    inputs: ["count": 3, "name": "app", "spec": ["cpu": 2], "flags": [true, false]],
    selfProperties: ["flavor": "small", "id": "r-1"],
    resourceInstances: { name in
      switch name {
      case "web": web
      case "net": [["cidr": "10.1.0.0/24"]]
      case "lb": [["address": "10.9.9.9"], ["name": "no address"]]
      default: []
      }
    })

  @Test(
    "a whole-string reference keeps the value's type",
    arguments: [
      ("${input.count}", JSONValue.int(3)),
      ("  ${ input.count }  ", .int(3)),
      ("${input.spec}", ["cpu": 2] as JSONValue),
      ("${input.spec.cpu}", .int(2)),
      ("${input.flags[1]}", .bool(false)),
      ("${self.flavor}", "small"),
      ("${resource.web.address}", "10.0.0.1"),
      ("${resource.web[1].address}", "10.0.0.2"),
      ("${resource.web.1.address}", "10.0.0.2"),
      ("${resource[\"web\"].address}", "10.0.0.1"),
      ("${resource['net'].cidr}", "10.1.0.0/24"),
      ("${resource.web[*].address}", ["10.0.0.1", "10.0.0.2"] as JSONValue),
      ("${resource.web[1].disk.sizeGb}", .int(40)),
      ("${resource.web[*].tags}", [["a", "b"], ["c"]] as JSONValue),
    ])
  func typed(text: String, expected: JSONValue) {
    #expect(Self.evaluator.evaluate(text) == expected)
  }

  @Test(
    "references inside text are interpolated; non-strings as compact JSON",
    arguments: [
      ("vm-${input.name}-${input.count}", "vm-app-3"),
      ("${input.name}${input.name}", "appapp"),
      ("spec=${input.spec} at ${resource.web[1].address}", "spec={\"cpu\":2} at 10.0.0.2"),
      ("${self.id} of ${resource.web[*].address}", "r-1 of [\"10.0.0.1\",\"10.0.0.2\"]"),
      ("no expression at all", "no expression at all"),
      ("cost ${'}'} ${input.name}", "cost ${'}'} app"),
    ])
  func interpolated(text: String, expected: String) {
    #expect(Self.evaluator.evaluate(text) == .string(expected))
  }

  @Test(
    "anything it does not resolve is left as written",
    arguments: [
      "${input.missing}", "${input.count + 1}", "${to_lower(input.name)}", "${input.count > 1 ? 'a' : 'b'}",
      "${secret.password}", "${env.requestedBy}", "${propgroup.pg.p}", "${resource.web[5].address}",
      "${resource.web.nothing}", "${resource.db.address}", "${resource.web}", "${resource.lb[*].address}",
      "${input.spec.cpu.deeper}", "${input.", "${count.index}", "${'literal'}", "${input.name[input.count]}",
    ])
  func leftAsWritten(text: String) {
    #expect(Self.evaluator.evaluate(text) == .string(text))
    #expect(Self.evaluator.evaluate("x \(text) y") == .string("x \(text) y"))
  }

  @Test("self is unresolved outside a resource; structures are walked")
  func structures() {
    let plain = ExpressionEvaluator(inputs: ["n": 2])
    #expect(plain.evaluate("${self.flavor}") == "${self.flavor}")
    #expect(plain.evaluate("${resource.web.address}") == "${resource.web.address}")
    let value: JSONValue = ["a": ["${input.n}", "n=${input.n}", 7, nil], "b": ["c": "${input.n}"]]
    #expect(plain.evaluate(value) == ["a": [2, "n=2", 7, nil], "b": ["c": 2]])
  }
}
