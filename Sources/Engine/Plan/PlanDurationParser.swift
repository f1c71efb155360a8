/// Reads durations as plan files write them: `30m`, `1h30m`, `90s`, `500ms`, `2d`, or a bare number of seconds.
/// The CLI's duration flags (`--timeout`, `--poll-max`) read the same way.
public enum PlanDurationParser {
  /// A duration as a plan would write it: `2m`, `1h30m`, `45s`, `1.5s`, `250ms`.
  public static func text(_ duration: Duration) -> String {
    let milliseconds = max(duration.milliseconds, 0)
    if milliseconds < 1000 { return "\(milliseconds)ms" }
    if milliseconds % 1000 != 0 && milliseconds < 60_000 {
      return "\((Double(milliseconds) / 100).rounded() / 10)s"
    }
    var seconds = (milliseconds + 500) / 1000
    var text = ""
    for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds >= size {
      text += "\(seconds / size)\(unit)"
      seconds %= size
    }
    return seconds > 0 || text.isEmpty ? text + "\(seconds)s" : text
  }

  public static func parse(_ text: String) -> Duration? {
    let trimmed = trim(text)
    if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
    var total = Duration.zero
    var number = ""
    var unit = ""
    var sawComponent = false
    func flush() -> Bool {
      guard !number.isEmpty, let value = Double(number), value >= 0 else { return false }
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
      sawComponent = true
      return true
    }
    for character in trimmed {
      if character.isASCII, character.isNumber || character == "." {
        if !unit.isEmpty {
          guard flush() else { return nil }
        }
        number.append(character)
      } else if character.isASCII, character.isLetter {
        guard !number.isEmpty else { return nil }
        unit.append(character)
      } else {
        return nil
      }
    }
    guard flush(), sawComponent else { return nil }
    return total
  }

  static func trim(_ text: String) -> String {
    var text = Substring(text)
    while let first = text.first, first.isWhitespace { text = text.dropFirst() }
    while let last = text.last, last.isWhitespace { text = text.dropLast() }
    return String(text)
  }
}
