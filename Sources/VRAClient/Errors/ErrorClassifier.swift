import Credentials
import Foundation
import VRAModels

/// Turns an HTTP error answer or a transport failure into a `VRAError`.
///
/// The status gives the default class; `KnownVRAErrors` refines it and adds a hint from
/// vRA's `errorCode`, `messageId` and message. Messages pass through the redactor: vRA
/// sometimes echoes the request, inputs and all.
enum ErrorClassifier {
  /// The body of an error answer as vRA sends it, with the validation messages some
  /// services add next to `ServiceErrorResponse`'s fields.
  private struct ErrorBody: Decodable {
    var message: String?
    var errorCode: Int?
    var messageId: String?
    var serverErrorId: String?
    var details: [ErrorDetail]?
    var validationMessages: [BlueprintValidationMessage]?
    var error: String?
  }

  static func classify(
    _ response: RawResponse, request: APIRequest, attempts: Int, redactor: Redactor
  ) -> VRAError {
    let body = try? VRAJSONCoding.decoder.decode(ErrorBody.self, from: response.body)
    let status = response.status
    var message = body?.message ?? body?.error ?? ""
    if message.isEmpty {
      let text = String(decoding: response.body.prefix(200), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      message = text.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(text)"
    }
    message = redactor.redact(message.replacingOccurrences(of: "\n", with: " "))
    let retryAfter = RetryAfter.parse(response.headers.first(name: "Retry-After"))
    let shouldRetry = body?.details?.contains(.shouldRetry) ?? false

    var errorClass = defaultClass(status: status, retryAfter: retryAfter)
    if case .validation = errorClass {
      let details = (body?.validationMessages ?? []).compactMap { entry -> String? in
        guard let text = entry.message else { return nil }
        return redactor.redact([entry.path, text].compactMap { $0 }.joined(separator: ": "))
      }
      errorClass = .validation(messages: details.isEmpty ? [message] : details)
    }
    let known = KnownVRAErrors.match(
      status: status, errorCode: body?.errorCode, messageId: body?.messageId, message: message, path: request.path)
    if let overriding = known?.errorClass { errorClass = overriding }

    let decision = RetryDecision.forAnswer(
      status: status, shouldRetry: shouldRetry, retryAfter: retryAfter, safety: request.safety)
    var retryable = false
    var outcomeUnknown = false
    switch decision {
    case .retry: retryable = true
    case .fail(let unknown): outcomeUnknown = unknown
    }
    return VRAError(
      errorClass, status: status, method: request.method.rawValue, path: request.path, message: message,
      hint: known?.hint, errorCode: body?.errorCode, messageId: body?.messageId,
      serverErrorId: body?.serverErrorId, retryable: retryable, attempts: attempts, outcomeUnknown: outcomeUnknown)
  }

  static func defaultClass(status: Int, retryAfter: Duration?) -> VRAErrorClass {
    switch status {
    case 401: .unauthorized
    case 403: .forbidden
    case 404: .notFound
    case 409: .conflict
    case 429: .rateLimited(retryAfter: retryAfter)
    case 500...599: .server
    default: .validation(messages: [])
    }
  }

  static func classify(
    _ failure: TransportFailure, request: APIRequest, attempts: Int, redactor: Redactor
  ) -> VRAError {
    let errorClass: VRAErrorClass
    switch failure.kind {
    case .cancelled: errorClass = .cancelled
    case .timeout, .connectTimeout: errorClass = .timeout
    default: errorClass = .transport
    }
    let decision = RetryDecision.forTransport(failure, safety: request.safety)
    var outcomeUnknown = false
    var retryable = false
    switch decision {
    case .retry: retryable = true
    case .fail(let unknown): outcomeUnknown = unknown
    }
    return VRAError(
      errorClass, method: request.method.rawValue, path: request.path, message: redactor.redact(failure.detail),
      hint: failure.hint, retryable: retryable,
      severity: failure.kind == .tls ? .critical : nil, attempts: attempts, outcomeUnknown: outcomeUnknown)
  }

  static func cancelled(_ request: APIRequest, attempts: Int) -> VRAError {
    VRAError(
      .cancelled, method: request.method.rawValue, path: request.path, message: "the call was cancelled",
      attempts: attempts)
  }

  static func decoding(_ error: any Error, request: APIRequest, type: Any.Type, attempts: Int) -> VRAError {
    var detail = "\(error)"
    if let error = error as? DecodingError {
      switch error {
      case .keyNotFound(let key, let context):
        detail = "missing '\(key.stringValue)' at \(pathText(context.codingPath))"
      case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        detail = "\(context.debugDescription) at \(pathText(context.codingPath))"
      @unknown default: break
      }
    }
    return VRAError(
      .decoding, status: 200, method: request.method.rawValue, path: request.path,
      message: "the answer is not a valid \(type): \(detail)",
      hint: "the vRA version may be newer than this client expects: pin apiVersion, or report it", attempts: attempts)
  }

  private static func pathText(_ path: [any CodingKey]) -> String {
    path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
  }
}
