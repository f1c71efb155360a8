import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem document (`application/problem+json`): every error the API answers.
///
/// `type` is stable (`ProblemType`), so a client branches on it rather than on `title` or `detail`.
public struct Problem: Error, Sendable, Codable, Equatable {
  /// One located problem of a submitted file (a plan or template diagnostic).
  public struct Item: Sendable, Codable, Equatable {
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var field: String?
    public var code: String?
    public var message: String
    /// What to do about it, when known (a did-you-mean).
    public var hint: String?
    /// The plan stage the problem belongs to, when it belongs to one.
    public var stage: String?

    public init(
      file: String? = nil, line: Int? = nil, column: Int? = nil, field: String? = nil, code: String? = nil,
      message: String, hint: String? = nil, stage: String? = nil
    ) {
      self.file = file
      self.line = line
      self.column = column
      self.field = field
      self.code = code
      self.message = message
      self.hint = hint
      self.stage = stage
    }
  }

  public var type: String
  public var title: String
  /// The HTTP status, repeated in the body as `status`.
  public var statusCode: Int
  public var detail: String?
  public var instance: String?
  /// Every located problem at once (invalid plans and templates, invalid configuration).
  public var errors: [Item]?
  public var warnings: [Item]?
  /// For 429: how long to wait before trying again.
  public var retryAfterSeconds: Int?

  enum CodingKeys: String, CodingKey {
    case type, title, detail, instance, errors, warnings, retryAfterSeconds
    case statusCode = "status"
  }

  public init(
    _ type: ProblemType, detail: String? = nil, instance: String? = nil, errors: [Item]? = nil,
    warnings: [Item]? = nil, retryAfterSeconds: Int? = nil
  ) {
    self.type = type.uri
    self.title = type.title
    self.statusCode = type.status.code
    self.detail = detail
    self.instance = instance
    self.errors = errors
    self.warnings = warnings
    self.retryAfterSeconds = retryAfterSeconds
  }
}

/// The problem types the API answers with: stable identifiers, documented in docs/openapi.json.
public struct ProblemType: Sendable, Hashable {
  public let slug: String
  public let title: String
  public let status: HTTPResponse.Status

  public var uri: String { "urn:vra-engine:problem:\(slug)" }

  public static let unauthenticated = ProblemType(
    slug: "unauthenticated", title: "Authentication required", status: .unauthorized)
  public static let forbidden = ProblemType(slug: "forbidden", title: "Not allowed for this tenant", status: .forbidden)
  public static let notFound = ProblemType(slug: "not-found", title: "Not found", status: .notFound)
  public static let badRequest = ProblemType(slug: "bad-request", title: "Malformed request", status: .badRequest)
  public static let invalidBundle = ProblemType(
    slug: "invalid-bundle", title: "The bundle cannot be accepted", status: .badRequest)
  public static let invalidPlan = ProblemType(
    slug: "invalid-plan", title: "The plan is not valid", status: .unprocessableContent)
  public static let idempotencyKeyReused = ProblemType(
    slug: "idempotency-key-reused", title: "Idempotency key reused with a different request",
    status: .unprocessableContent)
  public static let payloadTooLarge = ProblemType(
    slug: "payload-too-large", title: "Request body too large", status: .contentTooLarge)
  public static let quotaExceeded = ProblemType(
    slug: "quota-exceeded", title: "Too many runs for this tenant", status: .tooManyRequests)
  public static let conflict = ProblemType(
    slug: "conflict", title: "The run is not in a state that allows this", status: .conflict)
  public static let unavailable = ProblemType(
    slug: "unavailable", title: "Service unavailable", status: .serviceUnavailable)
  public static let internalError = ProblemType(
    slug: "internal", title: "Internal error", status: .internalServerError)

  public static let all: [ProblemType] = [
    .unauthenticated, .forbidden, .notFound, .badRequest, .invalidBundle, .invalidPlan, .idempotencyKeyReused,
    .payloadTooLarge, .quotaExceeded, .conflict, .unavailable, .internalError,
  ]
}

extension Problem: HTTPResponseError {
  public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

  public func response(from request: Request, context: some RequestContext) throws -> Response {
    var headers: HTTPFields = [.contentType: "application/problem+json"]
    if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
    if type == ProblemType.unauthenticated.uri { headers[.wwwAuthenticate] = "Bearer" }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let body = try encoder.encode(self)
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
  }
}
