import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// Hostile templates through `vra-engine validate` as a user runs it: each is refused with exit 2 and
/// exactly one error line that names the file and, where the problem has one, its line.
@Suite("vra-engine validate: hostile input", .timeLimit(.minutes(2)))
struct HostileInputCommandTests {
  /// One hostile file: its bytes, the diagnostic code it must produce and the line it must name.
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var bytes: [UInt8]
    var code: String
    var line: Int

    var testDescription: String { name }
  }

  static let cases: [Case] = [
    // Refused at the alias where the expansion passes the 1,000,000-node budget: l5 is 10^6 leaves.
    Case(name: "alias bomb", bytes: Array(aliasBomb(levels: 9).utf8), code: "aliasExpansionTooLarge", line: 6),
    Case(name: "invalid UTF-8", bytes: invalidUTF8, code: "invalidUTF8", line: 3),
    Case(
      name: "duplicate keys", bytes: Array("resources:\n  vm:\n    type: A\n    type: B\n".utf8),
      code: "duplicateKey", line: 3),
    Case(name: "non-mapping document", bytes: Array("- a\n- b\n".utf8), code: "notAMapping", line: 1),
    Case(name: "10,000-deep nesting", bytes: Array(deepNesting(10_000).utf8), code: "nestingTooDeep", line: 4),
    Case(
      name: "catastrophic pattern",
      bytes: Array(
        "inputs:\n  name:\n    type: string\n    default: aaa\n    pattern: '(a+)+$'\nresources:\n  vm:\n    type: T\n"
          .utf8),
      code: "unsafePattern", line: 5),
  ]

  @Test("exits 2 with one message naming the file and line", arguments: cases)
  func refused(_ hostile: Case) async throws {
    let file = try Scratch.directory().appendingPathComponent("hostile.yaml")
    try Data(hostile.bytes).write(to: file)

    let clock = ContinuousClock()
    let start = clock.now
    let text = try await CLIHarness.run(["validate", file.path])
    #expect(clock.now - start < .seconds(20), "validate took \(clock.now - start)")
    #expect(text.status == 2, "\(text.everything)")
    let errors = text.everything.split(separator: "\n").filter { $0.contains(": error: ") }
    #expect(errors.count == 1, "expected one error line: \(text.everything)")
    #expect(errors.first?.hasPrefix("\(file.path):\(hostile.line):") == true, "\(errors)")
    #expect(text.stdout.hasSuffix("\(file.path): invalid (1 error, 0 warnings)\n"), "\(text.stdout)")

    let json = try await CLIHarness.run(["validate", file.path, "--output", "json"])
    #expect(json.status == 2)
    let reported = try #require(try json.json()["errors"] as? [[String: Any]])
    #expect(reported.count == 1, "\(reported)")
    #expect(reported.first?["code"] as? String == hostile.code)
    #expect(reported.first?["file"] as? String == file.path)
    #expect(reported.first?["line"] as? Int == hostile.line)
  }

  /// A "billion laughs": line N + 1 defines l N, ten aliases of l N-1 (10^(N+1) leaves).
  static func aliasBomb(levels: Int) -> String {
    var lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in 1...levels {
      lines.append("l\(level): &l\(level) [\(Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", "))]")
    }
    lines.append("resources: {vm: {type: T, properties: {data: *l\(levels)}}}")
    return lines.joined(separator: "\n") + "\n"
  }

  static let invalidUTF8: [UInt8] = Array("resources:\n  vm:\n    type: ab".utf8) + [0xFF] + Array("\n".utf8)

  static func deepNesting(_ depth: Int) -> String {
    "resources:\n  vm:\n    type: T\n    properties: {p: " + String(repeating: "[", count: depth) + "1"
      + String(repeating: "]", count: depth) + "}\n"
  }
}
