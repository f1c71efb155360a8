/// The names an environment may have: they become deployment names (`<env>-<stage>`) in vRA, so
/// the same characters as a stage name, starting with a letter, at most 63 long.
public enum EnvironmentName {
  /// Why `name` cannot name an environment, or nil when it can.
  public static func problem(with name: String) -> String? {
    guard !name.isEmpty, name.count <= 63 else {
      return "an environment name has 1 to 63 characters, '\(name)' has \(name.count)"
    }
    guard let first = name.unicodeScalars.first, isLetter(first),
      name.unicodeScalars.allSatisfy({ isLetter($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" })
    else {
      return "environment name '\(name)' must start with a letter and hold only letters, digits, '-' and '_'"
    }
    return nil
  }

  private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
  }
}
