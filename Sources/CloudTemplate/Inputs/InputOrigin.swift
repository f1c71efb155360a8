/// Where one input value was given. Printed next to every problem with that value, so the operator
/// knows which of the three sources to fix.
public enum InputOrigin: Sendable, Hashable, Codable, CustomStringConvertible {
  /// `--input name=value`.
  case flag
  /// A key of the `--inputs FILE` mapping, with the position of the key in that file.
  case file(path: String, location: SourceLocation)
  /// A `VRA_INPUT_<NAME>` environment variable.
  case environment(variable: String)

  public var description: String {
    switch self {
    case .flag: "--input"
    case .file(let path, let location): "\(path):\(location.line):\(location.column)"
    case .environment(let variable): "environment variable \(variable)"
    }
  }
}
