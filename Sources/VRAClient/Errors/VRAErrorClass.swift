/// What kind of failure a `VRAError` is: the one thing a caller branches on.
public enum VRAErrorClass: Sendable, Hashable {
  /// The network failed: connection refused or dropped, TLS handshake failed.
  case transport
  /// No answer within the per-attempt timeout or the call's deadline.
  case timeout
  /// The credentials were refused (401, or a token endpoint refused the refresh token or password).
  case unauthorized
  /// Authenticated, but not allowed (403).
  case forbidden
  case notFound
  /// The object exists already or is in a state that forbids the call (409).
  case conflict
  /// vRA rejected the request as invalid; never worth retrying unchanged.
  case validation(messages: [String])
  /// Too many requests (429); `retryAfter` is the server's `Retry-After`, when it sent one.
  case rateLimited(retryAfter: Duration?)
  /// vRA failed (5xx).
  case server
  /// The answer could not be read as the expected type.
  case decoding
  /// The calling task was cancelled.
  case cancelled

  /// A stable, lower-case name for logs, metrics and exit codes (`error.class`).
  public var name: String {
    switch self {
    case .transport: "transport"
    case .timeout: "timeout"
    case .unauthorized: "unauthorized"
    case .forbidden: "forbidden"
    case .notFound: "not_found"
    case .conflict: "conflict"
    case .validation: "validation"
    case .rateLimited: "rate_limited"
    case .server: "server"
    case .decoding: "decoding"
    case .cancelled: "cancelled"
    }
  }

  /// How bad it is when a call ends with this class (see `ErrorSeverity`).
  public var defaultSeverity: ErrorSeverity {
    switch self {
    case .cancelled, .rateLimited, .notFound: .warning
    case .unauthorized, .forbidden: .critical
    case .transport, .timeout, .conflict, .validation, .server, .decoding: .error
    }
  }
}
