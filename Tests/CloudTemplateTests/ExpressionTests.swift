import Testing

@testable import CloudTemplate

@Suite("Expressions: the ${...} scanner and the references it extracts")
struct ExpressionTests {
  /// `kind:segments` of every reference in `text`, in order.
  static func references(_ text: String) -> [String] {
    let result = ExpressionScanner.scan(text)
    #expect(result.errors.isEmpty, "\(result.errors)")
    return result.references.map { "\($0.kind.rawValue):\($0.segments.joined(separator: "/"))" }
  }

  @Test(
    "reference forms",
    arguments: [
      ("${input.size}", ["input:size"]),
      ("${resource.vm.address}", ["resource:vm/address"]),
      ("${resource[\"vm\"].address}", ["resource:vm/address"]),
      ("${resource['vm'].address}", ["resource:vm/address"]),
      ("${resource.vm[0].address}", ["resource:vm/0/address"]),
      ("${resource.disk[*].id}", ["resource:disk/*/id"]),
      ("${resource.vm.*.address}", ["resource:vm/*/address"]),
      ("${self.networks[0].address}", ["self:networks/0/address"]),
      ("${propgroup.defaults.domain}", ["propgroup:defaults/domain"]),
      ("${env.projectName}", ["env:projectName"]),
      ("${secret.password}", ["secret:password"]),
      ("${count.index}", ["count:index"]),
      ("${mystery.thing}", ["unknown:thing"]),
    ])
  func forms(text: String, expected: [String]) {
    #expect(Self.references(text) == expected)
  }

  @Test("function calls, nested brackets, ternaries and operators")
  func compound() {
    #expect(
      Self.references("${to_lower(input.name) + '-' + length(resource.vm[*].id)}")
        == ["input:name", "resource:vm/*/id"])
    #expect(
      Self.references(
        "${map_to_object(slice(resource.disk[*].id, length(input.diskInfo) * count.index, length(input.diskInfo) * (count.index +1)), \"source\")}"
      ) == ["resource:disk/*/id", "input:diskInfo", "count:index", "input:diskInfo", "count:index"])
    #expect(
      Self.references("${input.env == 'prd' ? resource.big.id : (input.x > 3 && !input.y ? 1 : -2.5)}")
        == ["input:env", "resource:big/id", "input:x", "input:y"])
    #expect(Self.references("${[input.a, {key: input.b, 'other': [1, 2]}][0]}") == ["input:a", "input:b"])
    #expect(Self.references("${true || false ? null : 'x'}").isEmpty)
  }

  @Test("a dynamic index ends the static path")
  func dynamicIndex() {
    #expect(Self.references("${resource.vm[input.i].address}") == ["resource:vm", "input:i"])
  }

  @Test("quoted strings may hold braces, brackets and the other quote")
  func quotedStrings() {
    let result = ExpressionScanner.scan("${join(resource.net.dns, '}')}-${input.a + \"]'\\\"\"}tail")
    #expect(result.errors.isEmpty)
    #expect(result.expressions == ["join(resource.net.dns, '}')", "input.a + \"]'\\\"\""])
    #expect(result.references.map(\.text) == ["resource.net.dns", "input.a"])
  }

  @Test("several expressions in one string, with text around them")
  func several() {
    let result = ExpressionScanner.scan("${resource.machine.resourceName}.${propgroup.defaults.domain} and $HOME {x}")
    #expect(result.expressions.count == 2)
    #expect(result.references.map(\.kind) == [.resource, .propgroup])
    #expect(!ExpressionScanner.mayContainExpression("$HOME {x} and $ {y}"))
    #expect(ExpressionScanner.mayContainExpression("a${b}"))
  }

  @Test("reference text and location")
  func locations() {
    let location = CloudTemplate.SourceLocation(line: 7, column: 10)
    let result = ExpressionScanner.scan("ab ${ input.x }\n  ${resource[\"vm\"][0].id}", location: location, path: "/p")
    #expect(result.references.map(\.text) == ["input.x", "resource[\"vm\"][0].id"])
    #expect(result.references.map(\.location) == [.init(line: 7, column: 16), .init(line: 8, column: 5)])
    #expect(result.references.allSatisfy { $0.path == "/p" })
    #expect(result.references[1].name == "vm")
  }

  @Test("a position moves one column per scalar and to column 1 of the next line after a newline")
  func advancedLocation() {
    let start = CloudTemplate.SourceLocation(line: 3, column: 5)
    #expect(start.advanced(over: "ab".unicodeScalars) == .init(line: 3, column: 7))
    #expect(start.advanced(over: "ab\nçd".unicodeScalars) == .init(line: 4, column: 3))
    #expect(start.advanced(over: "\n\n".unicodeScalars) == .init(line: 5, column: 1))
    #expect(start.advanced(over: "".unicodeScalars) == start)
  }

  @Test(
    "syntax errors are reported with their position",
    arguments: [
      ("x ${input.}", "expected a property name after '.'", 11),
      ("${input.a +}", "expected a value but found end of expression", 12),
      ("${'open}", "no matching '}'", 1),
      ("${input.a ? 1}", "expected ':' but found end of expression", 14),
      ("${}", "empty expression", 3),
      ("${input.a # b}", "unexpected character '#'", 11),
      ("${(input.a}", "no matching '}'", 1),
      ("${input.a input.b}", "unexpected 'input'", 11),
      ("${f(1,)}", "unexpected ')'", 7),
    ])
  func syntaxErrors(text: String, message: String, column: Int) {
    let result = ExpressionScanner.scan(text)
    #expect(result.errors.count == 1)
    let error = result.errors.first
    #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    #expect(error?.location.column == column)
  }

  @Test("an expression error in a template is a positioned validation error")
  func errorInTemplate() throws {
    let text = """
      inputs:
        a: {type: string}
      resources:
        vm:
          type: T
          properties:
            name: '${input.a +}'
      """
    let template = try Fixture.parse(text)
    let errors = TemplateValidator.validate(template).errors
    #expect(errors.map(\.code) == [.invalidExpression])
    #expect(errors.first?.line == 7)
    #expect(errors.first?.column == Fixture.position(of: "}'", in: text)?.column)
    #expect(errors.first?.path == "/resources/vm/properties/name")
  }
}
