/// The `type` of a template input, as vRA and JSON Schema spell it.
public enum InputType: String, Sendable, Hashable, Codable, CaseIterable {
  case string
  case integer
  case number
  case boolean
  case object
  case array

  /// Whether `value` is an instance of this type under JSON Schema rules (5.0 is an integer, true is not).
  public func accepts(_ value: JSONValue) -> Bool {
    switch (self, value) {
    case (.string, .string), (.boolean, .bool), (.object, .object), (.array, .array): true
    case (.integer, .int), (.number, .int), (.number, .double): true
    case (.integer, .double(let number)): number.rounded(.towardZero) == number && number.isFinite
    default: false
    }
  }
}
