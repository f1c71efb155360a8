import CloudTemplate

/// Finds where each key and value of a TOML document is written.
///
/// TOMLKit reports positions only for syntax errors, not for the values it parses, so this pass re-reads
/// the (already valid) text: table headers, dotted keys, inline tables and arrays, with strings and comments
/// skipped. Positions are keyed by JSON pointer (`/stages/db/inputs/network`), the paths diagnostics use.
struct TOMLKeyLocator {
  private(set) var keyLocations: [String: SourceLocation] = [:]
  private(set) var valueLocations: [String: SourceLocation] = [:]

  private let scalars: [Unicode.Scalar]
  private var index = 0
  private var line = 1
  private var column = 1
  private var arrayTableCounts: [String: Int] = [:]

  init(text: String) {
    scalars = Array(text.unicodeScalars)
    locateAll()
  }

  private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }
  private var location: SourceLocation { SourceLocation(line: line, column: column) }

  private func peek(_ offset: Int) -> Unicode.Scalar? {
    index + offset < scalars.count ? scalars[index + offset] : nil
  }

  private mutating func advance() {
    guard let scalar = current else { return }
    index += 1
    if scalar == "\n" {
      line += 1
      column = 1
    } else {
      column += 1
    }
  }

  private mutating func skipSpaces() {
    while let scalar = current, scalar == " " || scalar == "\t" { advance() }
  }

  /// Skips spaces, newlines and comments (inside arrays and between statements).
  private mutating func skipBlank() {
    while let scalar = current {
      if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
        advance()
      } else if scalar == "#" {
        while let next = current, next != "\n" { advance() }
      } else {
        return
      }
    }
  }

  private mutating func locateAll() {
    var table = ""
    while true {
      skipBlank()
      guard let scalar = current else { return }
      let start = index
      if scalar == "[" {
        let isArrayTable = peek(1) == "["
        advance()
        if isArrayTable { advance() }
        skipSpaces()
        let headerLocation = location
        let keys = dottedKey()
        var pointer = keys.reduce("") { JSONPointer.appending($1.key, to: $0) }
        recordKeys(keys, under: "", overwrite: false)
        if isArrayTable {
          let count = arrayTableCounts[pointer, default: 0]
          arrayTableCounts[pointer] = count + 1
          pointer = JSONPointer.appending(count, to: pointer)
          if keyLocations[pointer] == nil { keyLocations[pointer] = headerLocation }
        }
        table = pointer
        while let next = current, next != "\n" { advance() }
      } else {
        keyValue(under: table)
        while let next = current, next != "\n" {
          if next == "#" {
            while let rest = current, rest != "\n" { advance() }
          } else {
            advance()
          }
        }
      }
      if index == start { advance() }  // Never loop on text this reader does not understand.
    }
  }

  /// Records `key = value` (with a dotted key) under the table at `pointer`.
  private mutating func keyValue(under pointer: String) {
    let keys = dottedKey()
    guard !keys.isEmpty else { return }
    let path = recordKeys(keys, under: pointer, overwrite: true)
    skipSpaces()
    guard current == "=" else { return }
    advance()
    skipSpaces()
    value(at: path)
  }

  /// Records where each key of a dotted key is written; a table's first mention is where it is placed, the
  /// last key of a `key = value` line always is.
  @discardableResult
  private mutating func recordKeys(
    _ keys: [(key: String, location: SourceLocation)], under pointer: String, overwrite: Bool
  ) -> String {
    var path = pointer
    for (offset, key) in keys.enumerated() {
      path = JSONPointer.appending(key.key, to: path)
      if keyLocations[path] == nil || (overwrite && offset == keys.count - 1) { keyLocations[path] = key.location }
    }
    return path
  }

  private mutating func dottedKey() -> [(key: String, location: SourceLocation)] {
    var keys: [(key: String, location: SourceLocation)] = []
    while true {
      skipSpaces()
      guard let scalar = current else { return keys }
      let start = location
      if scalar == "\"" || scalar == "'" {
        keys.append((quotedString(delimiter: scalar), start))
      } else {
        var key = ""
        while let next = current,
          next.properties.isAlphabetic || ("0"..."9").contains(next) || next == "_"
            || next == "-"
        {
          key.unicodeScalars.append(next)
          advance()
        }
        guard !key.isEmpty else { return keys }
        keys.append((key, start))
      }
      skipSpaces()
      guard current == "." else { return keys }
      advance()
    }
  }

  private mutating func quotedString(delimiter: Unicode.Scalar) -> String {
    advance()
    var text = ""
    while let scalar = current, scalar != delimiter, scalar != "\n" {
      if scalar == "\\" && delimiter == "\"" {
        advance()
      }
      if let next = current { text.unicodeScalars.append(next) }
      advance()
    }
    advance()
    return text
  }

  private mutating func value(at pointer: String) {
    guard let scalar = current else { return }
    switch scalar {
    case "\"", "'":
      if peek(1) == scalar && peek(2) == scalar {
        advance()
        advance()
        advance()
        if current == "\n" { advance() }
        valueLocations[pointer] = location
        while current != nil, !(current == scalar && peek(1) == scalar && peek(2) == scalar) {
          if current == "\\" && scalar == "\"" { advance() }
          advance()
        }
        advance()
        advance()
        advance()
      } else {
        valueLocations[pointer] = SourceLocation(line: line, column: column + 1)
        _ = quotedString(delimiter: scalar)
      }
    case "{":
      valueLocations[pointer] = location
      advance()
      while true {
        skipSpaces()
        guard let next = current, next != "}", next != "\n" else { break }
        if next == "," {
          advance()
          continue
        }
        let before = index
        keyValue(under: pointer)
        if index == before { advance() }
      }
      advance()
    case "[":
      valueLocations[pointer] = location
      advance()
      var element = 0
      while true {
        skipBlank()
        guard let next = current, next != "]" else { break }
        if next == "," {
          advance()
          continue
        }
        let before = index
        value(at: JSONPointer.appending(element, to: pointer))
        element += 1
        if index == before { advance() }
      }
      advance()
    default:
      valueLocations[pointer] = location
      while let next = current, next != ",", next != "]", next != "}", next != "\n", next != "#" { advance() }
    }
  }
}
