import Foundation
import VRAModels

/// Evaluates a `$filter` against one listed object, as the API renders it: the fields a client
/// can filter on are exactly those it can read. A missing field is `null`; a comparison of
/// values of different kinds is false, never an error, as in vRA.
extension ODataFilter {
  func matches(_ object: JSONValue) -> Bool {
    evaluate(on: object) == .bool(true)
  }

  func evaluate(on object: JSONValue) -> JSONValue {
    switch self {
    case .literal(let literal):
      switch literal {
      case .string(let value): return .string(value)
      case .number(let value):
        return value.rounded() == value && abs(value) < 9.0e15 ? .int(Int(value)) : .double(value)
      case .bool(let value): return .bool(value)
      case .null: return .null
      }
    case .field(let path):
      var value = object
      for key in path {
        guard let inner = value[key] else { return .null }
        value = inner
      }
      return value
    case .and(let left, let right):
      return .bool(left.matches(object) && right.matches(object))
    case .or(let left, let right):
      return .bool(left.matches(object) || right.matches(object))
    case .not(let inner):
      guard case .bool(let value) = inner.evaluate(on: object) else { return .bool(false) }
      return .bool(!value)
    case .compare(let op, let left, let right):
      return .bool(Self.compare(op, left.evaluate(on: object), right.evaluate(on: object)))
    case .call(let function, let arguments):
      return Self.call(function, arguments.map { $0.evaluate(on: object) })
    }
  }

  private static func compare(_ op: Comparison, _ left: JSONValue, _ right: JSONValue) -> Bool {
    let order: ComparisonResult?
    switch (left, right) {
    case (.string(let a), .string(let b)): order = a.compare(b)
    case (.bool(let a), .bool(let b)): order = a == b ? .orderedSame : nil
    case (.null, .null): order = .orderedSame
    default:
      if let a = left.doubleValue, let b = right.doubleValue {
        order = a == b ? .orderedSame : (a < b ? .orderedAscending : .orderedDescending)
      } else {
        order = nil
      }
    }
    switch op {
    case .eq: return order == .orderedSame
    case .ne: return order != .orderedSame
    case .gt: return order == .orderedDescending
    case .ge: return order == .orderedDescending || order == .orderedSame
    case .lt: return order == .orderedAscending
    case .le: return order == .orderedAscending || order == .orderedSame
    }
  }

  private static func call(_ function: Function, _ arguments: [JSONValue]) -> JSONValue {
    let strings = arguments.map(\.stringValue)
    switch function {
    case .substringof:
      // OData v2 order: substringof('needle', field).
      guard let needle = strings[0], let haystack = strings[1] else { return .bool(false) }
      return .bool(haystack.contains(needle))
    case .contains:
      guard let haystack = strings[0], let needle = strings[1] else { return .bool(false) }
      return .bool(haystack.contains(needle))
    case .startswith:
      guard let text = strings[0], let prefix = strings[1] else { return .bool(false) }
      return .bool(text.hasPrefix(prefix))
    case .endswith:
      guard let text = strings[0], let suffix = strings[1] else { return .bool(false) }
      return .bool(text.hasSuffix(suffix))
    case .tolower: return strings[0].map { .string($0.lowercased()) } ?? .null
    case .toupper: return strings[0].map { .string($0.uppercased()) } ?? .null
    case .trim: return strings[0].map { .string($0.trimmingCharacters(in: .whitespaces)) } ?? .null
    case .length: return strings[0].map { .int($0.count) } ?? .null
    }
  }
}
