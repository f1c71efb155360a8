import Foundation

/// The template text, split into lines on demand, to place expressions found inside multi-line strings.
final class SourceText {
  private let text: String
  private lazy var lines: [Substring] = text.split(separator: "\n", omittingEmptySubsequences: false)

  init(_ text: String) {
    self.text = text
  }

  /// The 1-based column (in Unicode scalars) of the `occurrence`-th (0-based) `needle` on `line`.
  func column(of needle: String, occurrence: Int, onLine line: Int) -> Int? {
    guard line >= 1, line <= lines.count else { return nil }
    let content = lines[line - 1]
    var searchStart = content.startIndex
    var remaining = occurrence
    while let range = content[searchStart...].range(of: needle) {
      if remaining == 0 {
        return content.unicodeScalars.distance(from: content.startIndex, to: range.lowerBound) + 1
      }
      remaining -= 1
      searchStart = range.upperBound
    }
    return nil
  }
}
