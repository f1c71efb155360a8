/// A failure as the state store keeps it: stored as JSON `{"class", "message", "hint"}`.
///
/// Built by the caller from a typed error (for example `VRAError`'s class, `message` and `hint`),
/// already redacted: the store writes exactly what it is given.
public struct RecordedError: Sendable, Hashable, Codable, CustomStringConvertible {
  /// What kind of failure (`error.class`): `deployment`, `unauthorized`, `stage_timeout`, ...
  public var errorClass: FailureClass
  /// One line, for people.
  public var message: String
  /// What to do about it, when known.
  public var hint: String?

  public init(errorClass: FailureClass, message: String, hint: String? = nil) {
    self.errorClass = errorClass
    self.message = message
    self.hint = hint
  }

  enum CodingKeys: String, CodingKey {
    case errorClass = "class"
    case message
    case hint
  }

  public var description: String {
    hint.map { "\(message) (\(errorClass)). Hint: \($0)" } ?? "\(message) (\(errorClass))"
  }
}
