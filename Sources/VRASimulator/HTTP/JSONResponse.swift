import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VRAModels

/// Renders API values with vRA's JSON conventions (millisecond timestamps, sorted keys).
enum JSONResponse {
  static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    let data = try VRAJSON.makeEncoder().encode(value)
    return Response(
      status: status, headers: [.contentType: "application/json"],
      body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }

  static func empty(_ status: HTTPResponse.Status) -> Response {
    Response(status: status)
  }
}

extension Request {
  /// Decodes a JSON body up to `limit` bytes; a malformed body is a 400 in vRA's error shape.
  func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int = 8 * 1024 * 1024) async throws -> T {
    let buffer: ByteBuffer
    do {
      buffer = try await body.collect(upTo: limit)
    } catch {
      throw APIError(.contentTooLarge, "request body larger than \(limit) bytes")
    }
    do {
      return try VRAJSON.makeDecoder().decode(T.self, from: Data(buffer: buffer))
    } catch {
      throw APIError.badRequest("malformed JSON body: \(Self.describe(error))")
    }
  }

  private static func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    switch error {
    case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      let path = context.codingPath.map(\.stringValue).joined(separator: ".")
      return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    @unknown default: return "\(error)"
    }
  }
}
