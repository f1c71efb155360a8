/// The template text, split into lines of Unicode scalars on demand, to place expressions found inside
/// multi-line strings.
///
/// Lines and searches work on scalars, the unit columns are counted in; no `Character` or Foundation
/// string search (both showed up in the corpus benchmark's profile).
final class SourceText {
  private let text: String
  private lazy var scalars: [Unicode.Scalar] = Array(text.unicodeScalars)
  /// Index in `scalars` of the first scalar of each line.
  private lazy var lineStarts: [Int] = {
    var starts = [0]
    for (index, scalar) in scalars.enumerated() where scalar == "\n" { starts.append(index + 1) }
    return starts
  }()

  init(_ text: String) {
    self.text = text
  }

  /// The 1-based column (in Unicode scalars) of the `occurrence`-th (0-based) `needle` on `line`.
  func column(of needle: ArraySlice<Unicode.Scalar>, occurrence: Int, onLine line: Int) -> Int? {
    guard line >= 1, line <= lineStarts.count, !needle.isEmpty else { return nil }
    let start = lineStarts[line - 1]
    let end = line < lineStarts.count ? lineStarts[line] - 1 : scalars.count
    let found = Self.occurrences(of: needle, in: scalars[start..<end], stoppingAfter: occurrence + 1)
    return found.count > occurrence ? found[occurrence] - start + 1 : nil
  }

  /// Start indices of the non-overlapping occurrences of `needle` in `haystack`, at most `limit` of them.
  static func occurrences(
    of needle: ArraySlice<Unicode.Scalar>, in haystack: ArraySlice<Unicode.Scalar>, stoppingAfter limit: Int = .max
  ) -> [Int] {
    guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
    var found: [Int] = []
    var index = haystack.startIndex
    let first = needle[needle.startIndex]
    while index <= haystack.endIndex - needle.count, found.count < limit {
      if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) {
        found.append(index)
        index += needle.count
      } else {
        index += 1
      }
    }
    return found
  }
}
