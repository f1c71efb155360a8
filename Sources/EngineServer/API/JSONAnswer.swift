import Foundation
import HTTPTypes
import Hummingbird
import VRAModels

/// JSON answers of the API: vRA's timestamp format (`VRAJSON`), keys sorted, one encoder.
enum JSONAnswer {
  static func json<Value: Encodable>(
    _ value: Value, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
  ) throws -> Response {
    let encoder = VRAJSON.makeEncoder()
    encoder.outputFormatting.insert(.sortedKeys)
    var headers = headers
    headers[.contentType] = "application/json"
    return Response(
      status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
  }

  /// Text already rendered as JSON (a `RunReport`).
  static func json(text: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
  }

  /// Decodes a JSON request body of at most `limit` bytes: 413 over it, 400 when it is not the
  /// expected JSON (with the decoder's words, which name the field).
  static func decode<Value: Decodable>(
    _ type: Value.Type, from request: Request, limit: Int
  ) async throws -> Value {
    let buffer: ByteBuffer
    do {
      buffer = try await request.body.collect(upTo: limit)
    } catch {
      throw Problem(.payloadTooLarge, detail: "the request body is larger than \(limit) bytes")
    }
    do {
      return try VRAJSON.makeDecoder().decode(Value.self, from: Data(buffer.readableBytesView))
    } catch let DecodingError.keyNotFound(key, context) {
      throw Problem(.badRequest, detail: "missing field '\(path(context.codingPath + [key]))'")
    } catch let DecodingError.typeMismatch(_, context) {
      throw Problem(.badRequest, detail: "field '\(path(context.codingPath))': \(context.debugDescription)")
    } catch let DecodingError.valueNotFound(_, context) {
      throw Problem(.badRequest, detail: "field '\(path(context.codingPath))' is null")
    } catch {
      throw Problem(.badRequest, detail: "the body is not valid JSON")
    }
  }

  private static func path(_ keys: [any CodingKey]) -> String {
    keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
      .replacingOccurrences(of: ".[", with: "[")
  }
}
