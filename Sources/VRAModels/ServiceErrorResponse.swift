/// The error body every vRA service returns (`ServiceErrorResponse` in the IaaS spec).
public struct ServiceErrorResponse: Codable, Sendable, Hashable, Error {
  public var message: String?
  public var statusCode: Int?
  public var errorCode: Int?
  public var messageId: String?
  public var serverErrorId: String?
  public var documentKind: String?
  public var stackTrace: [String]?
  /// `["SHOULD_RETRY"]` when the server says the same call may succeed later.
  public var details: [ErrorDetail]?

  public init(
    message: String?, statusCode: Int?, errorCode: Int? = nil, messageId: String? = nil,
    serverErrorId: String? = nil, documentKind: String? = nil, details: [ErrorDetail]? = nil
  ) {
    self.message = message
    self.statusCode = statusCode
    self.errorCode = errorCode
    self.messageId = messageId
    self.serverErrorId = serverErrorId
    self.documentKind = documentKind
    self.details = details
  }

  public var shouldRetry: Bool { details?.contains(.shouldRetry) ?? false }
}

/// An entry of `ServiceErrorResponse.details`.
public struct ErrorDetail: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let shouldRetry: Self = "SHOULD_RETRY"
  public static let documented: [Self] = [.shouldRetry]
}
