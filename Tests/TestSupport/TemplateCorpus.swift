import Foundation

/// The real public cloud templates every test may read, and positions in YAML text.
public enum TemplateCorpus {
  /// `../shared/corpus/cloud-templates` beside the clone when it exists, else the copy in
  /// `Tests/Resources/` (found from this file: …/Tests/TestSupport/TemplateCorpus.swift).
  public static let directory: URL = {
    let tests = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
      .deletingLastPathComponent()  // TestSupport
      .deletingLastPathComponent()  // Tests
    let shared = tests.deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("shared/corpus/cloud-templates", isDirectory: true)
    if FileManager.default.fileExists(atPath: shared.path) { return shared }
    return tests.appendingPathComponent("Resources/corpus/cloud-templates", isDirectory: true)
  }()

  /// The path of the corpus template `name`.
  public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// 1-based line and column of the `occurrence`-th `needle` in `text`, computed independently of the parser.
  public static func position(of needle: String, in text: String, occurrence: Int = 0) -> (line: Int, column: Int)? {
    var remaining = occurrence
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var searchStart = line.startIndex
      while let range = line[searchStart...].range(of: needle) {
        if remaining == 0 {
          return (index + 1, line.unicodeScalars.distance(from: line.startIndex, to: range.lowerBound) + 1)
        }
        remaining -= 1
        searchStart = range.upperBound
      }
    }
    return nil
  }
}
