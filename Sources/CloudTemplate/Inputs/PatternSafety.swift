import Foundation
import Synchronization

/// Decides whether an input `pattern` may be evaluated, and evaluates it.
///
/// NSRegularExpression has no time limit, so a pattern that backtracks catastrophically (`(a+)+$`)
/// could hang validation on a crafted value. Patterns are screened before they are compiled:
/// nested unbounded quantifiers and backreferences are refused, and so are very long patterns.
/// What remains runs in polynomial time on inputs bounded by `maxMatchedLength`.
public enum PatternSafety {
  public static let maxPatternLength = 1_000
  /// Values longer than this are not matched against a pattern (reported as a violation instead).
  public static let maxMatchedLength = 100_000

  public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLong(Int)
    case backreference
    case nestedQuantifier(offset: Int)
    case invalid(String)

    public var description: String {
      switch self {
      case .tooLong(let length): "pattern is \(length) characters long (limit \(PatternSafety.maxPatternLength))"
      case .backreference: "backreferences are not allowed: they make matching exponential"
      case .nestedQuantifier(let offset):
        "nested unbounded quantifiers (like (a+)+) at offset \(offset) can backtrack catastrophically"
      case .invalid(let reason): "invalid regular expression: \(reason)"
      }
    }

    public var isUnsafe: Bool {
      if case .invalid = self { return false }
      return true
    }
  }

  /// Why `pattern` cannot be used, or nil when it is safe and compiles.
  public static func problem(with pattern: String) -> Problem? {
    switch compiled(pattern) {
    case .success: nil
    case .failure(let problem): problem
    }
  }

  /// Whether `text` matches `pattern` (a search, unanchored, as JSON Schema specifies); nil when the
  /// pattern is unusable.
  public static func matches(_ text: String, pattern: String) -> Bool? {
    guard case .success(let expression) = compiled(pattern) else { return nil }
    let range = NSRange(text.startIndex..<text.endIndex, in: text)
    return expression.firstMatch(in: text, options: [], range: range) != nil
  }

  /// Static screen for patterns whose matching time can explode.
  static func screen(_ pattern: String) -> Problem? {
    let scalars = Array(pattern.unicodeScalars)
    if scalars.count > maxPatternLength { return .tooLong(scalars.count) }
    // For each open group: does it contain an unbounded quantifier?
    var groups: [Bool] = [false]
    var index = 0
    while index < scalars.count {
      let scalar = scalars[index]
      var atomHasUnbounded = false
      switch scalar {
      case "\\":
        if index + 1 < scalars.count {
          let next = scalars[index + 1]
          if (next >= "1" && next <= "9") || next == "k" { return .backreference }
        }
        index += 2
      case "[":
        index += 1
        if index < scalars.count, scalars[index] == "^" { index += 1 }
        if index < scalars.count, scalars[index] == "]" { index += 1 }
        while index < scalars.count, scalars[index] != "]" {
          index += scalars[index] == "\\" ? 2 : 1
        }
        index += 1
      case "(":
        groups.append(false)
        index += 1
        continue
      case ")":
        atomHasUnbounded = groups.count > 1 ? groups.removeLast() : false
        index += 1
      default:
        index += 1
      }
      // A quantifier applied to the atom just read.
      guard index < scalars.count else { break }
      let (unbounded, length) = quantifier(at: index, in: scalars)
      if unbounded, atomHasUnbounded { return .nestedQuantifier(offset: index) }
      if unbounded || atomHasUnbounded { groups[groups.count - 1] = true }
      index += length
    }
    return nil
  }

  /// Whether a quantifier starts at `index` and is unbounded (`*`, `+`, `{n,}`), and its length.
  private static func quantifier(at index: Int, in scalars: [Unicode.Scalar]) -> (unbounded: Bool, length: Int) {
    switch scalars[index] {
    case "*", "+": return (true, lazySuffix(after: index + 1, in: scalars) + 1)
    case "?": return (false, lazySuffix(after: index + 1, in: scalars) + 1)
    case "{":
      var end = index + 1
      while end < scalars.count, scalars[end] != "}" { end += 1 }
      guard end < scalars.count else { return (false, 0) }
      let body = String(scalars: scalars[(index + 1)..<end])
      let parts = body.split(separator: ",", omittingEmptySubsequences: false)
      guard parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), !(parts.first?.isEmpty ?? true) else { return (false, 0) }
      let unbounded = parts.count == 2 && parts[1].isEmpty
      return (unbounded, end - index + 1 + lazySuffix(after: end + 1, in: scalars))
    default: return (false, 0)
    }
  }

  private static func lazySuffix(after index: Int, in scalars: [Unicode.Scalar]) -> Int {
    index < scalars.count && (scalars[index] == "?" || scalars[index] == "+") ? 1 : 0
  }

  // Compiled patterns are immutable and shared across validations (NSRegularExpression is thread-safe).
  private static let cache = Mutex<[String: Result<NSRegularExpression, Problem>]>([:])

  private static func compiled(_ pattern: String) -> Result<NSRegularExpression, Problem> {
    if let cached = cache.withLock({ $0[pattern] }) { return cached }
    let result: Result<NSRegularExpression, Problem>
    if let problem = screen(pattern) {
      result = .failure(problem)
    } else {
      do {
        result = .success(try NSRegularExpression(pattern: pattern, options: []))
      } catch {
        result = .failure(.invalid("ICU could not compile it (\(error.localizedDescription))"))
      }
    }
    cache.withLock { cache in
      if cache.count > 10_000 { cache.removeAll() }  // Bounded: templates are many, patterns few.
      cache[pattern] = result
    }
    return result
  }
}
