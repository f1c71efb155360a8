import RunState

/// Why a stage failed, in words an operator can act on (already free of secrets).
public struct StageFailure: Error, Sendable, Hashable, CustomStringConvertible {
  public var message: String
  public var hint: String?
  /// vRA's request id or the like, when there is one to look up in vRA's UI.
  public var requestId: String?
  /// The `error.class` recorded for it: `deployment` (vRA failed the request) unless said otherwise.
  public var errorClass: FailureClass

  public init(
    message: String, hint: String? = nil, requestId: String? = nil, errorClass: FailureClass = .deployment
  ) {
    self.message = message
    self.hint = hint
    self.requestId = requestId
    self.errorClass = errorClass
  }

  public var description: String { message + (hint.map { " (\($0))" } ?? "") }
}
