import Foundation

/// A string's text as it is written between the quotes of a JSON string (RFC 8259: quote,
/// backslash and control characters escaped, nothing else). Shared by the JSON writer of
/// CloudTemplate and the client's redactor, which must recognise a secret inside a logged body.
public enum JSONStringEscape {
  public static func escaped(_ text: String) -> String {
    var output = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\n": output += "\\n"
      case "\r": output += "\\r"
      case "\t": output += "\\t"
      case let control where control.value < 0x20: output += String(format: "\\u%04x", control.value)
      default: output.unicodeScalars.append(scalar)
      }
    }
    return output
  }
}
