/// Why a stage failed, in words an operator can act on (already free of secrets).
public struct StageFailure: Error, Sendable, Hashable, CustomStringConvertible {
  public var message: String
  public var hint: String?
  /// vRA's request id or the like, when there is one to look up in vRA's UI.
  public var requestId: String?

  public init(message: String, hint: String? = nil, requestId: String? = nil) {
    self.message = message
    self.hint = hint
    self.requestId = requestId
  }

  public var description: String { message + (hint.map { " (\($0))" } ?? "") }
}
