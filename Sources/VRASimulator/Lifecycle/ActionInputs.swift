import Foundation
import VRAModels

/// Reads and checks the inputs of a day-2 action the way its schema (`ActionSchemas`) says, answering
/// 400 with one `validationMessages` entry per problem, as a refused blueprint request does.
struct ActionInputs {
  let actionId: String
  let values: [String: JSONValue]
  private(set) var problems: [BlueprintValidationMessage] = []

  init(_ actionId: String, _ values: [String: JSONValue]?) {
    self.actionId = actionId
    self.values = values ?? [:]
  }

  /// Inputs the action does not have are refused, as vRA refuses them.
  mutating func allowOnly(_ names: Set<String>) {
    for name in values.keys.sorted() where !names.contains(name) {
      fail(name, "unknown", "'\(name)' is not an input of \(actionId)")
    }
  }

  /// A date-time (RFC 3339) strictly after `after` and at most `notAfter`.
  mutating func date(_ name: String, after: Date, notAfter: Date, maxDays: Double) -> Date? {
    guard let value = values[name] else {
      fail(name, "required", "'\(name)' is required")
      return nil
    }
    guard let text = value.stringValue, let date = VRAJSON.parseTimestamp(text) else {
      fail(name, "format", "'\(name)' must be a date-time such as 2030-01-31T12:00:00Z")
      return nil
    }
    if date <= after {
      fail(name, "minimum", "'\(name)' \(text) is in the past")
    } else if date > notAfter {
      fail(name, "maximum", "'\(name)' \(text) is beyond the maximum lease of \(maxDays.formatted()) days")
    }
    return date
  }

  /// An integer within `range`, or nil when not given.
  mutating func integer(_ name: String, in range: ClosedRange<Int>) -> Int? {
    guard let value = values[name] else { return nil }
    guard let number = value.intValue ?? value.doubleValue.flatMap({ $0 == $0.rounded() ? Int($0) : nil }) else {
      fail(name, "type", "'\(name)' must be an integer")
      return nil
    }
    guard range.contains(number) else {
      fail(name, "range", "'\(name)' must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
      return nil
    }
    return number
  }

  /// `[{key, value}]` with a non-empty `key` each.
  mutating func tags(_ name: String) -> [TagRecord]? {
    guard let value = values[name] else {
      fail(name, "required", "'\(name)' is required")
      return nil
    }
    guard case .array(let items) = value else {
      fail(name, "type", "'\(name)' must be an array of {key, value}")
      return nil
    }
    var tags: [TagRecord] = []
    for (index, item) in items.enumerated() {
      guard let key = item["key"]?.stringValue, !key.isEmpty else {
        fail("\(name)/\(index)", "required", "'\(name)[\(index)]' needs a non-empty 'key'")
        continue
      }
      let tagValue = item["value"]
      guard tagValue == nil || tagValue == JSONValue.null || tagValue?.stringValue != nil else {
        fail("\(name)/\(index)/value", "type", "'\(name)[\(index)].value' must be a string")
        continue
      }
      tags.append(TagRecord(key: key, value: tagValue?.stringValue ?? ""))
    }
    return tags
  }

  /// 400 naming every problem, if there was one.
  func check() throws {
    guard !problems.isEmpty else { return }
    throw APIError(
      .badRequest, "Invalid inputs for \(actionId): " + problems.compactMap(\.message).joined(separator: "; "),
      errorCode: 10400, messageId: "deployment.action.inputs.invalid", validationMessages: problems)
  }

  private mutating func fail(_ path: String, _ rule: String, _ message: String) {
    problems.append(
      BlueprintValidationMessage(
        message: message, path: "/" + path.replacingOccurrences(of: "~", with: "~0"), type: .error,
        metadata: ["rule": rule]))
  }
}
