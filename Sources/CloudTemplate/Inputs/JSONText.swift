import Foundation

/// Compact or pretty JSON text of a `JSONValue`, with sorted keys so output is reproducible.
public enum JSONText {
  public static func render(_ value: JSONValue, pretty: Bool = false) -> String {
    var output = ""
    write(value, into: &output, pretty: pretty, indent: 0)
    return output
  }

  private static func write(_ value: JSONValue, into output: inout String, pretty: Bool, indent: Int) {
    switch value {
    case .null: output += "null"
    case .bool(let flag): output += flag ? "true" : "false"
    case .int(let number): output += String(number)
    case .double(let number):
      output +=
        number.isFinite ? (number == number.rounded() && abs(number) < 1e15 ? "\(number)" : "\(number)") : "null"
    case .string(let text): writeString(text, into: &output)
    case .array(let elements):
      guard !elements.isEmpty else {
        output += "[]"
        return
      }
      output += "["
      for (index, element) in elements.enumerated() {
        if index > 0 { output += "," }
        newline(&output, pretty: pretty, indent: indent + 1)
        write(element, into: &output, pretty: pretty, indent: indent + 1)
      }
      newline(&output, pretty: pretty, indent: indent)
      output += "]"
    case .object(let object):
      guard !object.isEmpty else {
        output += "{}"
        return
      }
      output += "{"
      for (index, key) in object.keys.sorted().enumerated() {
        if index > 0 { output += "," }
        newline(&output, pretty: pretty, indent: indent + 1)
        writeString(key, into: &output)
        output += pretty ? ": " : ":"
        write(object[key]!, into: &output, pretty: pretty, indent: indent + 1)
      }
      newline(&output, pretty: pretty, indent: indent)
      output += "}"
    }
  }

  private static func newline(_ output: inout String, pretty: Bool, indent: Int) {
    guard pretty else { return }
    output += "\n" + String(repeating: "  ", count: indent)
  }

  private static func writeString(_ text: String, into output: inout String) {
    output += "\"" + JSONStringEscape.escaped(text) + "\""
  }

  /// Parses JSON text into a `JSONValue` (used for `--input name=[1,2]` and JSON inputs files).
  public static func parse(_ text: String) -> JSONValue? {
    guard let data = text.data(using: .utf8) else { return nil }
    return try? JSONDecoder().decode(JSONValue.self, from: data)
  }
}
