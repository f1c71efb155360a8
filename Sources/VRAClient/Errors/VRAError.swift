/// The one error type every `VRAClient` call throws.
///
/// It carries what an operator needs to act (a one-line `message` and a `hint`),
/// what a program needs to branch (`errorClass`, `status`, `retryable`), and what vRA
/// support needs to find the failure on their side (`errorCode`, `messageId`,
/// `serverErrorId`). It never carries a secret: messages pass through the client's
/// redactor before an error is built.
public struct VRAError: Error, Sendable, Hashable, CustomStringConvertible {
  public var errorClass: VRAErrorClass
  /// HTTP status of the last answer, 0 when there was none (transport failure, timeout, cancel).
  public var status: Int
  /// vRA's numeric `errorCode` from `ServiceErrorResponse`.
  public var errorCode: Int?
  public var messageId: String?
  public var serverErrorId: String?
  /// The id vRA (or its ingress) gave the failed answer (`x-request-id`), for vRA's logs.
  public var requestId: String?
  public var method: String
  /// Path of the request, without the query (which may hold filters worth keeping out of logs).
  public var path: String
  /// True when the same call may succeed later; the client already retried up to its policy.
  public var retryable: Bool
  public var severity: ErrorSeverity
  /// One line, for people.
  public var message: String
  /// What to do about it, when the client can tell.
  public var hint: String?
  /// HTTP attempts made for this call, retries and the auth replay included.
  public var attempts: Int
  /// True when the request may have been applied although no answer said so
  /// (the connection closed after the request was sent, or it timed out waiting).
  /// A creating call in this state must be looked up, never blindly sent again.
  public var outcomeUnknown: Bool

  public init(
    _ errorClass: VRAErrorClass, status: Int = 0, method: String, path: String, message: String,
    hint: String? = nil, errorCode: Int? = nil, messageId: String? = nil, serverErrorId: String? = nil,
    retryable: Bool = false, severity: ErrorSeverity? = nil, attempts: Int = 1, outcomeUnknown: Bool = false
  ) {
    self.errorClass = errorClass
    self.status = status
    self.method = method
    self.path = path
    self.message = message
    self.hint = hint
    self.errorCode = errorCode
    self.messageId = messageId
    self.serverErrorId = serverErrorId
    self.retryable = retryable
    self.severity = severity ?? errorClass.defaultSeverity
    self.attempts = attempts
    self.outcomeUnknown = outcomeUnknown
  }

  /// `GET /deployment/api/deployments/…: message (class, HTTP 404, errorCode 10404) — hint`.
  public var description: String {
    var detail = [errorClass.name]
    if status != 0 { detail.append("HTTP \(status)") }
    if let errorCode { detail.append("errorCode \(errorCode)") }
    if let serverErrorId { detail.append("serverErrorId \(serverErrorId)") }
    if let requestId { detail.append("request id \(requestId)") }
    if attempts > 1 { detail.append("\(attempts) attempts") }
    var text = "\(method) \(path): \(message) (\(detail.joined(separator: ", ")))"
    if let hint { text += ". Hint: \(hint)" }
    return text
  }
}
