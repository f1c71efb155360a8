import CloudTemplate
import VRAModels

/// A plan document independent of its format (YAML or TOML), with a position on every node, so one
/// decoder reports the same errors at the same kind of position for both.
struct PlanNode {
  enum Content {
    case scalar(JSONValue)
    case mapping([Entry])
    case sequence([PlanNode])
  }

  struct Entry {
    var key: String
    var keyLocation: SourceLocation
    var value: PlanNode
  }

  var content: Content
  /// Where the node starts.
  var location: SourceLocation
  /// Where a string's text starts (after an opening quote); the node's start for anything else.
  var textLocation: SourceLocation

  init(_ content: Content, location: SourceLocation, textLocation: SourceLocation? = nil) {
    self.content = content
    self.location = location
    self.textLocation = textLocation ?? location
  }

  var entries: [Entry]? {
    if case .mapping(let entries) = content { return entries }
    return nil
  }

  var scalar: JSONValue? {
    if case .scalar(let value) = content { return value }
    return nil
  }

  var isNull: Bool { scalar == .null }

  /// `a string`, `a number`, `a mapping`, ... for "expected X, found Y" messages.
  var kindDescription: String {
    switch content {
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .scalar(let value):
      switch value {
      case .string: "a string"
      case .int, .double: "a number"
      case .bool: "a boolean"
      case .null: "nothing (null)"
      case .array: "a list"
      case .object: "a mapping"
      }
    }
  }

  /// The node as a JSON value; `locations` receives where each string/value below it starts, by JSON pointer.
  func jsonValue(pointer: String = "", locations: inout [String: SourceLocation]) -> JSONValue {
    locations[pointer] = textLocation
    switch content {
    case .scalar(let value):
      return value
    case .sequence(let elements):
      return .array(
        elements.enumerated().map { index, element in
          element.jsonValue(pointer: JSONPointer.appending(index, to: pointer), locations: &locations)
        })
    case .mapping(let entries):
      var object: [String: JSONValue] = [:]
      for entry in entries {
        object[entry.key] = entry.value.jsonValue(
          pointer: JSONPointer.appending(entry.key, to: pointer), locations: &locations)
      }
      return .object(object)
    }
  }
}
