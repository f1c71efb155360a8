import Foundation

/// Reads `--timeout` the way plan files write durations: `30m`, `1h30m`, `90s`, `500ms`, `2d`, or
/// a bare number of seconds.
enum TimeoutOption {
  static func parse(_ text: String) -> Duration? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let seconds = Int(trimmed) { return seconds > 0 ? .seconds(seconds) : nil }
    var total = Duration.zero
    var number = ""
    var unit = ""
    func flush() -> Bool {
      guard let value = Double(number), value >= 0 else { return false }
      let scale: Double
      switch unit {
      case "ms": scale = 0.001
      case "s": scale = 1
      case "m": scale = 60
      case "h": scale = 3600
      case "d": scale = 86_400
      default: return false
      }
      total += .milliseconds(Int64((value * scale * 1000).rounded()))
      number = ""
      unit = ""
      return true
    }
    for character in trimmed {
      if character.isASCII, character.isNumber || character == "." {
        if !unit.isEmpty {
          guard flush() else { return nil }
        }
        number.append(character)
      } else if character.isASCII, character.isLetter, !number.isEmpty {
        unit.append(character)
      } else {
        return nil
      }
    }
    guard flush(), total > .zero else { return nil }
    return total
  }
}
