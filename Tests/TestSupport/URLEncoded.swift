/// Query strings exactly as third-party vRA clients send them, so tests see what those clients see.
///
/// Python's `urllib.parse.urlencode` (used by `requests` and `httpx`) and Go's `url.Values.Encode`
/// both escape everything but `A-Z a-z 0-9 - _ . ~` as `%XX` (so `$top` goes out as `%24top`), and
/// send a space as `+`. Go also sorts the keys.
public enum URLEncoded {
  /// `urllib.parse.urlencode([(k, v), ...])`: the pairs in the order given.
  public static func python(_ pairs: [(String, String)]) -> String {
    pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
  }

  /// `url.Values{...}.Encode()`: keys sorted, each key's values in order.
  public static func go(_ values: [String: [String]]) -> String {
    values.keys.sorted().flatMap { key in values[key, default: []].map { "\(escape(key))=\(escape($0))" } }
      .joined(separator: "&")
  }

  /// `quote_plus(text, safe='')` / Go's `url.QueryEscape`.
  public static func escape(_ text: String) -> String {
    var result = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
        UInt8(ascii: "~"):
        result.append(Character(Unicode.Scalar(byte)))
      case UInt8(ascii: " "):
        result.append("+")
      default:
        result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return result
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
