/// How urgently a failure needs a person.
///
/// `warning`: expected and usually handled by the caller (not found, rate limited, cancelled).
/// `error`: this call failed. `critical`: nothing will work until someone fixes
/// credentials, permissions or trust, so retrying or carrying on is pointless.
public enum ErrorSeverity: String, Sendable, Hashable, Comparable, CaseIterable {
  case warning
  case error
  case critical

  public static func < (lhs: ErrorSeverity, rhs: ErrorSeverity) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }
}
