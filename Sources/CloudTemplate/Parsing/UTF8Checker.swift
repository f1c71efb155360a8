import Foundation

/// Finds where a byte sequence stops being valid UTF-8, to point at the bad byte.
enum UTF8Checker {
  /// The first bad byte of `data`, in the words of a `kind` ("template", "plan", ...).
  static func diagnostic(for data: Data, fileName: String, kind: String = "template") -> TemplateDiagnostic {
    let location = firstInvalidByte(in: data)
    return TemplateDiagnostic(
      severity: .error, code: .invalidUTF8,
      message: "the \(kind) is not valid UTF-8 (bad byte 0x\(String(location.byte, radix: 16, uppercase: true)))",
      file: fileName, location: location.position, path: "")
  }

  /// The line and column (in scalars) of the first invalid byte.
  static func firstInvalidByte(in data: Data) -> (position: SourceLocation, byte: UInt8) {
    let bytes = [UInt8](data)
    var index = 0
    var line = 1
    var column = 1
    while index < bytes.count {
      let length = sequenceLength(bytes, at: index)
      guard length > 0 else { return (SourceLocation(line: line, column: column), bytes[index]) }
      if bytes[index] == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else {
        column += 1
      }
      index += length
    }
    return (SourceLocation(line: line, column: column), 0)
  }

  /// Length of the valid UTF-8 sequence starting at `index`, or 0 when it is invalid.
  private static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
    let lead = bytes[index]
    let length: Int
    switch lead {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: length = 2
    case 0xE0...0xEF: length = 3
    case 0xF0...0xF4: length = 4
    default: return 0
    }
    guard index + length <= bytes.count else { return 0 }
    var slice = bytes[index..<(index + length)].makeIterator()
    var decoder = Unicode.UTF8()
    if case .scalarValue = decoder.decode(&slice) { return length }
    return 0
  }
}
