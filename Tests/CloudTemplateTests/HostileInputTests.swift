import Foundation
import Testing

@testable import CloudTemplate

@Suite("Hostile input: bounded time, memory and stack, and a clear error", .timeLimit(.minutes(1)))
struct HostileInputTests {
  /// A "billion laughs": each level is ten aliases of the previous one, 10^levels leaves in all.
  static func aliasBomb(levels: Int, asKey: Bool = false) -> String {
    var lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in 1...levels {
      let aliases = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
      lines.append("l\(level): &l\(level) [\(aliases)]")
    }
    lines.append(
      asKey
        ? "resources:\n  ? *l\(levels)\n  : x"
        : "resources:\n  vm:\n    type: T\n    properties:\n      data: *l\(levels)")
    return lines.joined(separator: "\n") + "\n"
  }

  @Test("an alias bomb is refused quickly", arguments: [false, true])
  func aliasBomb(asKey: Bool) throws {
    let clock = ContinuousClock()
    var error: TemplateError?
    let elapsed = clock.measure { error = Fixture.parseError(Self.aliasBomb(levels: 9, asKey: asKey)) }
    let found = try #require(error)
    #expect(found.code == .aliasExpansionTooLarge)
    #expect(found.line > 1)
    #expect(elapsed < .seconds(2), "took \(elapsed)")
  }

  @Test("the node limit is configurable and a modest use of aliases is accepted")
  func aliasLimit() throws {
    let small = Self.aliasBomb(levels: 2)  // 111 + the rest: fine by default.
    #expect(Fixture.parseError(small) == nil)
    let tight = ParseLimits(maxNodes: 50)
    let error = try #require(Fixture.parseError(small, limits: tight))
    #expect(error.code == .aliasExpansionTooLarge)
    #expect(error.message.contains("50"))
  }

  @Test("a file over the size limit is refused before it is parsed")
  func sizeLimit() throws {
    let text = "resources: {}\n# " + String(repeating: "x", count: 2_000)
    let error = try #require(Fixture.parseError(text, limits: ParseLimits(maxBytes: 1_000)))
    #expect(error.code == .fileTooLarge)
    #expect(error.message.contains("1000-byte limit"))
    #expect(error.diagnostics[0].hint != nil)
    #expect(throws: TemplateError.self) {
      try TemplateParser.parse(Data(text.utf8), fileName: "big.yaml", limits: ParseLimits(maxBytes: 1_000))
    }
    // The default limit is 5 MB.
    let big = "resources: {}\n#" + String(repeating: "x", count: 5 * 1024 * 1024)
    #expect(Fixture.parseError(big)?.code == .fileTooLarge)
    #expect(ParseLimits.default.maxBytes == 5 * 1024 * 1024)
  }

  @Test("a template and an inputs file are read the same bounded way, each named in the message")
  func boundedReads() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let large = directory.appendingPathComponent("large.yaml")
    try Data(("size: small\n#" + String(repeating: "x", count: 100)).utf8).write(to: large)
    let limits = ParseLimits(maxBytes: 64)
    for (kind, read) in [
      ("template", { () throws(TemplateError) in _ = try TemplateParser.parse(contentsOf: large, limits: limits) }),
      ("inputs file", { () throws(TemplateError) in _ = try InputsFile.read(contentsOf: large, limits: limits) }),
    ] {
      let error = try #require(throws: TemplateError.self) { try read() }
      #expect(error.code == .fileTooLarge)
      #expect(error.message == "the \(kind) is larger than the 64-byte limit (at least 65 bytes)", "read stops at 65")
      #expect(error.diagnostics[0].hint?.contains("--max-size") == true)
    }
    let bad = directory.appendingPathComponent("bad.yaml")
    try Data([0x61, 0x3A, 0x20, 0xFF]).write(to: bad)
    let error = try #require(throws: TemplateError.self) { try InputsFile.read(contentsOf: bad) }
    #expect(error.code == .invalidUTF8 && error.message.hasPrefix("the inputs file is not valid UTF-8"))
    #expect(error.line == 1 && error.column == 4)
  }

  @Test("invalid UTF-8 names the line and column of the bad byte")
  func invalidUTF8() throws {
    var bytes = Array("resources:\n  vm:\n    type: ab".utf8)
    bytes.append(0xFF)
    bytes += Array("\n".utf8)
    do {
      _ = try TemplateParser.parse(Data(bytes), fileName: "bad.yaml")
      Issue.record("invalid UTF-8 was accepted")
    } catch {
      #expect(error.code == .invalidUTF8)
      #expect(error.line == 3)
      #expect(error.column == 13)
      #expect(error.message.contains("0xFF"))
    }
  }

  @Test("duplicate keys are an error naming the key")
  func duplicateKeys() throws {
    let error = try #require(
      Fixture.parseError("resources:\n  vm:\n    type: A\n    type: B\n"))
    #expect(error.code == .duplicateKey)
    #expect(error.message.contains("'type'"))
    #expect(error.line == 3)
  }

  @Test("a document that is not a mapping is refused", arguments: ["- a\n- b\n", "just text\n", ""])
  func notAMapping(text: String) throws {
    let error = try #require(Fixture.parseError(text))
    #expect(error.code == .notAMapping)
    #expect(error.line == 1)
  }

  @Test("10,000-deep nesting is an error, not a stack overflow", arguments: ["[", "{a: "])
  func deepNesting(opener: String) throws {
    let closer = opener == "[" ? "]" : "}"
    let depth = 10_000
    let text =
      "resources:\n  vm:\n    type: T\n    properties: {p: "
      + String(repeating: opener, count: depth) + "1" + String(repeating: closer, count: depth) + "}\n"
    let error = try #require(Fixture.parseError(text))
    #expect(error.code == .nestingTooDeep)
  }

  @Test("block nesting past our own limit is an error", arguments: [300, 900])
  func blockNesting(depth: Int) throws {
    var text = "resources:\n  vm:\n    type: T\n    properties:\n"
    for level in 0..<depth {
      text += String(repeating: " ", count: 6 + level) + "k:\n"
    }
    text += String(repeating: " ", count: 6 + depth) + "v: 1\n"
    let error = try #require(Fixture.parseError(text))
    #expect(error.code == .nestingTooDeep)
  }

  @Test("deep expressions are refused without recursion trouble")
  func deepExpression() throws {
    let body = String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
    let result = ExpressionScanner.scan("${\(body)}")
    #expect(result.errors.count == 1)
    #expect(result.errors.first?.message.contains("nested too deeply") == true)
  }

  @Test(
    "catastrophic or invalid patterns are template errors",
    arguments: [
      ("(a+)+$", DiagnosticCode.unsafePattern), ("(a*)*b", .unsafePattern), ("(\\w+\\s?)*$", .unsafePattern),
      ("(a|b)\\1", .unsafePattern), ("([a-z]+", .invalidPattern), ("a{2,1}", .invalidPattern),
    ])
  func badPatterns(pattern: String, code: DiagnosticCode) throws {
    let template = try Fixture.parse(
      """
      inputs:
        name:
          type: string
          pattern: '\(pattern)'
      resources:
        vm:
          type: T
      """)
    let errors = TemplateValidator.validate(template).errors
    #expect(errors.map(\.code) == [code])
    #expect(errors.first?.path == "/inputs/name/pattern")
    #expect(errors.first?.line == 4)
    // Values are not matched against an unusable pattern, and nothing hangs.
    let clock = ContinuousClock()
    let elapsed = clock.measure {
      _ = InputValidator.validate(["name": .string(String(repeating: "a", count: 5_000) + "!")], against: template)
    }
    #expect(elapsed < .seconds(1))
  }

  @Test(
    "safe patterns with bounded quantifiers are accepted",
    arguments: ["^[a-z]{1,8}$", "^(ab)+$", "(a{2})+", "^\\d+(\\.\\d+)?$"])
  func safePatterns(pattern: String) {
    #expect(PatternSafety.problem(with: pattern) == nil)
  }

  @Test("a long value is not matched against a pattern")
  func longValue() throws {
    let template = try Fixture.parse(
      "inputs:\n  name:\n    type: string\n    pattern: '^a+$'\nresources:\n  vm:\n    type: T\n")
    let value = String(repeating: "a", count: PatternSafety.maxMatchedLength + 1)
    let result = InputValidator.validate(["name": .string(value)], against: template)
    #expect(result.violations.map(\.rule) == ["pattern"])
  }
}
