/// A problem that ends a command before or around a run, already worded for a person (one or
/// more `error:`/`hint:` lines) and classified. The front end shows `message` and exits with
/// `status` (the CLI) or answers with it (`serve`); the runtime itself prints nothing.
public struct RuntimeError: Error, Sendable, CustomStringConvertible {
  public var message: String
  public var status: ExitStatus

  public init(_ message: String, status: ExitStatus) {
    self.message = message
    self.status = status
  }

  /// `error: <what>`, with an optional hint line.
  public static func error(_ what: String, hint: String? = nil, status: ExitStatus) -> RuntimeError {
    RuntimeError("error: \(what)" + (hint.map { "\nhint: \($0)" } ?? ""), status: status)
  }

  public var description: String { message }
}

/// Where the runtime tells a person what it is doing (the embedded simulator's address, the
/// metrics URL, a trace export given up): stderr for the CLI, the log for a service.
public typealias NoticeSink = @Sendable (String) -> Void
