import Foundation
import TestSupport
import Testing

@testable import CloudTemplate

/// Shared helpers of the CloudTemplate tests.
enum Fixture {
  static var corpusDirectory: URL { TemplateCorpus.directory }

  /// Names of the corpus templates, sorted.
  static func corpusFiles() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path)
      .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
      .sorted()
  }

  static func corpusText(_ name: String) throws -> String {
    try String(contentsOf: corpusDirectory.appendingPathComponent(name), encoding: .utf8)
  }

  static func corpusTemplate(_ name: String) throws -> Template {
    try TemplateParser.parse(try corpusText(name), fileName: name)
  }

  /// Parses `yaml`, recording the diagnostics as the failure when it does not parse.
  static func parse(_ yaml: String, fileName: String = "test.yaml") throws -> Template {
    try TemplateParser.parse(yaml, fileName: fileName)
  }

  /// The error `yaml` is rejected with, or nil when it parses.
  static func parseError(
    _ yaml: String, fileName: String = "test.yaml", limits: ParseLimits = .default
  )
    -> TemplateError?
  {
    do {
      _ = try TemplateParser.parse(yaml, fileName: fileName, limits: limits)
      return nil
    } catch {
      return error
    }
  }

  /// 1-based line and column of the `occurrence`-th `needle` in `text`, computed independently of the parser.
  static func position(of needle: String, in text: String, occurrence: Int = 0) -> (line: Int, column: Int)? {
    TemplateCorpus.position(of: needle, in: text, occurrence: occurrence)
  }
}

extension ResourceGraph {
  /// The edges as comparable triples, for exact set assertions.
  var edgeSet: Set<String> { Set(edges.map { "\($0.from)->\($0.to):\($0.kind.rawValue)" }) }
}
