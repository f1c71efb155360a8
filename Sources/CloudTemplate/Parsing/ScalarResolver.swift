import VRAModels
import Yams

/// Turns a YAML scalar into a JSON value with YAML 1.1 rules (the ones vRA's SnakeYAML and PyYAML use).
///
/// Written by hand instead of Yams' regex resolver: templates are mostly plain strings, and a
/// first-character dispatch settles most of them without a regular expression.
enum ScalarResolver {
  static func resolve(_ scalar: Node.Scalar) -> JSONValue {
    let text = scalar.string
    switch scalar.tag.rawValue {
    case "", "!", "?":
      // Untagged: only plain scalars are typed; quoted and block scalars are strings.
      return scalar.style == .plain || scalar.style == .any ? resolvePlain(text) : .string(text)
    case Tag.Name.str.rawValue: return .string(text)
    case Tag.Name.int.rawValue: return integer(text).map(JSONValue.int) ?? .string(text)
    case Tag.Name.float.rawValue: return number(text) ?? .string(text)
    case Tag.Name.bool.rawValue: return boolean(text).map(JSONValue.bool) ?? .string(text)
    case Tag.Name.null.rawValue: return .null
    default: return resolvePlain(text)
    }
  }

  static func resolvePlain(_ text: String) -> JSONValue {
    guard let first = text.utf8.first else { return .null }
    switch first {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
      if let value = integer(text) { return .int(value) }
      return number(text) ?? .string(text)
    case UInt8(ascii: "~"):
      return text == "~" ? .null : .string(text)
    case UInt8(ascii: "n"), UInt8(ascii: "N"):
      if text == "null" || text == "Null" || text == "NULL" { return .null }
      return boolean(text).map(JSONValue.bool) ?? .string(text)
    case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "y"),
      UInt8(ascii: "Y"), UInt8(ascii: "o"), UInt8(ascii: "O"):
      return boolean(text).map(JSONValue.bool) ?? .string(text)
    default:
      return .string(text)
    }
  }

  static func boolean(_ text: String) -> Bool? {
    switch text {
    case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": true
    case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": false
    default: nil
    }
  }

  /// Decimal, `0x` hex, `0o`/leading-zero octal and `0b` binary, with `_` separators.
  static func integer(_ text: String) -> Int? {
    var digits = Substring(text)
    var negative = false
    if let sign = digits.first, sign == "-" || sign == "+" {
      negative = sign == "-"
      digits = digits.dropFirst()
    }
    guard let first = digits.first, first.isASCII, first.isNumber else { return nil }
    var radix = 10
    if digits.count > 1, first == "0" {
      switch digits.dropFirst().first {
      case "x": radix = 16; digits = digits.dropFirst(2)
      case "o": radix = 8; digits = digits.dropFirst(2)
      case "b": radix = 2; digits = digits.dropFirst(2)
      default: radix = 8; digits = digits.dropFirst()
      }
    }
    let cleaned = digits.utf8.contains(UInt8(ascii: "_")) ? digits.filter { $0 != "_" } : String(digits)
    guard !cleaned.isEmpty, let magnitude = Int(cleaned, radix: radix) else { return nil }
    return negative ? -magnitude : magnitude
  }

  /// Decimal numbers with a fraction or exponent. `.inf` and `.nan` stay strings: JSON cannot hold them.
  static func number(_ text: String) -> JSONValue? {
    var sawDigit = false
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
      case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "e"), UInt8(ascii: "E"),
        UInt8(ascii: "_"):
        continue
      default: return nil
      }
    }
    guard sawDigit, let value = Double(text.utf8.contains(UInt8(ascii: "_")) ? text.filter { $0 != "_" } : text),
      value.isFinite
    else { return nil }
    return .double(value)
  }
}
