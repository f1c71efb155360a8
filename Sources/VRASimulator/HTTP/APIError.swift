import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VRAModels

/// An error answer in vRA's `ServiceErrorResponse` shape.
///
/// Thrown from any route; Hummingbird renders it through `HTTPResponseError`.
struct APIError: Error, HTTPResponseError {
  var status: HTTPResponse.Status
  var body: ServiceErrorResponse
  var headers: HTTPFields = [:]
  /// Extra top-level `validationMessages`, only on 400 answers to requests whose
  /// inputs break the template's schema (see docs/simulator.md, "Errors").
  var validationMessages: [BlueprintValidationMessage]?

  init(
    _ status: HTTPResponse.Status, _ message: String, errorCode: Int? = nil, messageId: String? = nil,
    shouldRetry: Bool = false, validationMessages: [BlueprintValidationMessage]? = nil
  ) {
    self.status = status
    self.body = ServiceErrorResponse(
      message: message, statusCode: status.code, errorCode: errorCode ?? status.code,
      messageId: messageId, serverErrorId: UUID().uuidString.lowercased(),
      details: shouldRetry ? [.shouldRetry] : nil)
    self.validationMessages = validationMessages
  }

  static func notFound(_ what: String, _ id: String) -> APIError {
    APIError(.notFound, "\(what) with id '\(id)' not found", errorCode: 10404, messageId: "error.not.found")
  }

  static func badRequest(_ message: String) -> APIError {
    APIError(.badRequest, message, errorCode: 10400, messageId: "error.bad.request")
  }

  static func unauthorized(_ message: String) -> APIError {
    APIError(.unauthorized, message, errorCode: 10401, messageId: "error.unauthorized")
  }

  func response(from request: Request, context: some RequestContext) throws -> Response {
    var headers = self.headers
    headers[.contentType] = "application/json"
    let data: Data
    if let validationMessages {
      data = try VRAJSON.makeEncoder().encode(ErrorWithValidation(error: body, validationMessages: validationMessages))
    } else {
      data = try VRAJSON.makeEncoder().encode(body)
    }
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }
}

/// `ServiceErrorResponse` plus the `validationMessages` of a rejected request.
private struct ErrorWithValidation: Encodable {
  var error: ServiceErrorResponse
  var validationMessages: [BlueprintValidationMessage]

  func encode(to encoder: any Encoder) throws {
    try error.encode(to: encoder)
    enum Key: String, CodingKey { case validationMessages }
    var container = encoder.container(keyedBy: Key.self)
    try container.encode(validationMessages, forKey: .validationMessages)
  }
}
