import Foundation
import Hummingbird
import Logging
import VRASimulator

/// A stand-in OpenTelemetry collector: `POST /v1/traces` over real HTTP on 127.0.0.1 (any free
/// port), OTLP/HTTP with the JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`); every span
/// received is kept, decoded.
///
/// Written by hand because no collector runs on the test machine; JSON, so that the spans decode
/// with `Codable` alone. swift-otel writes ids as protobuf JSON writes bytes (base64), which
/// `ExportedSpan` turns into the hex of a `traceparent`.
final class OTLPReceiver: Sendable {
  private let store: Store
  private let server: BackgroundServer

  var port: Int { server.port }
  var endpoint: String { "http://127.0.0.1:\(port)" }

  private init(store: Store, server: BackgroundServer) {
    self.store = store
    self.server = server
  }

  static func start() async throws -> OTLPReceiver {
    let store = Store()
    let router = Router()
    router.post("/v1/traces") { request, _ -> Response in
      let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
      await store.received(
        contentType: request.headers[.contentType] ?? "", body: Data(buffer: body))
      // An empty ExportTraceServiceResponse: everything accepted.
      return Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
    }
    var logger = Logger(label: "otlp-receiver")
    logger.logLevel = .warning
    let server = try await BackgroundServer.start(router: router, host: "127.0.0.1", port: 0, logger: logger)
    return OTLPReceiver(store: store, server: server)
  }

  static func with<T>(_ body: (OTLPReceiver) async throws -> T) async throws -> T {
    let receiver = try await start()
    do {
      let result = try await body(receiver)
      await receiver.stop()
      return result
    } catch {
      await receiver.stop()
      throw error
    }
  }

  func stop() async {
    await server.stop()
  }

  /// Every span received so far, in the order they arrived.
  func spans() async -> [ExportedSpan] { await store.spans }
  /// Export requests received, any content.
  func requestCount() async -> Int { await store.requests }
  /// Every export body as text, for checks that something is in none of them.
  func bodies() async -> [String] { await store.bodies }
  /// Bodies that were not OTLP JSON (a protobuf export, a decoding problem), described.
  func problems() async -> [String] { await store.problems }

  private actor Store {
    var spans: [ExportedSpan] = []
    var requests = 0
    var problems: [String] = []
    var bodies: [String] = []

    func received(contentType: String, body: Data) {
      requests += 1
      bodies.append(String(decoding: body, as: UTF8.self))
      guard contentType.hasPrefix("application/json") else {
        problems.append("an export with Content-Type \(contentType)")
        return
      }
      do {
        let request = try JSONDecoder().decode(OTLPJSON.ExportRequest.self, from: body)
        for resource in request.resourceSpans ?? [] {
          let service = resource.resource?.attributes?.first { $0.key == "service.name" }?.value.text
          for scope in resource.scopeSpans ?? [] {
            for span in scope.spans ?? [] { spans.append(ExportedSpan(span, serviceName: service)) }
          }
        }
      } catch {
        problems.append("undecodable OTLP JSON: \(error)")
      }
    }
  }
}

/// One span as the receiver got it, ids in lowercase hex.
struct ExportedSpan: Sendable, Hashable {
  var traceId: String
  var spanId: String
  /// Nil for a root span.
  var parentSpanId: String?
  var name: String
  /// OTLP's SpanKind: 1 internal, 2 server, 3 client.
  var kind: Int
  var attributes: [String: String]
  /// OTLP's status code: 0 unset, 1 ok, 2 error.
  var statusCode: Int
  var eventNames: [String]
  var serviceName: String?

  init(_ span: OTLPJSON.Span, serviceName: String?) {
    traceId = Self.hex(span.traceId)
    spanId = Self.hex(span.spanId)
    parentSpanId = span.parentSpanId.flatMap { $0.isEmpty ? nil : Self.hex($0) }
    name = span.name
    kind = span.kind ?? 0
    var attributes: [String: String] = [:]
    for attribute in span.attributes ?? [] { attributes[attribute.key] = attribute.value.text }
    self.attributes = attributes
    statusCode = span.status?.code ?? 0
    eventNames = (span.events ?? []).map(\.name)
    self.serviceName = serviceName
  }

  /// Protobuf JSON writes `bytes` fields in base64; OTLP/JSON proper says hex. Either is read.
  static func hex(_ text: String) -> String {
    if text.count == 32 || text.count == 16, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
    guard let data = Data(base64Encoded: text) else { return text }
    return data.map { String(format: "%02x", $0) }.joined()
  }
}

/// The parts of OTLP's JSON encoding (ExportTraceServiceRequest) the tests read.
enum OTLPJSON {
  struct ExportRequest: Decodable {
    var resourceSpans: [ResourceSpans]?
  }

  struct ResourceSpans: Decodable {
    var resource: Resource?
    var scopeSpans: [ScopeSpans]?
  }

  struct Resource: Decodable {
    var attributes: [KeyValue]?
  }

  struct ScopeSpans: Decodable {
    var spans: [Span]?
  }

  struct Span: Decodable {
    var traceId: String
    var spanId: String
    var parentSpanId: String?
    var name: String
    var kind: Int?
    var attributes: [KeyValue]?
    var status: Status?
    var events: [Event]?
  }

  struct Status: Decodable {
    var code: Int?
    var message: String?
  }

  struct Event: Decodable {
    var name: String
  }

  struct KeyValue: Decodable {
    var key: String
    var value: AnyValue
  }

  /// `stringValue`, `intValue` (a string: int64 in protobuf JSON), `boolValue` or `doubleValue`.
  struct AnyValue: Decodable {
    var stringValue: String?
    var intValue: String?
    var boolValue: Bool?
    var doubleValue: Double?

    enum CodingKeys: String, CodingKey { case stringValue, intValue, boolValue, doubleValue }

    init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      stringValue = try container.decodeIfPresent(String.self, forKey: .stringValue)
      intValue =
        (try? container.decodeIfPresent(String.self, forKey: .intValue))
        ?? (try? container.decodeIfPresent(Int.self, forKey: .intValue)).map { String($0) }
      boolValue = try container.decodeIfPresent(Bool.self, forKey: .boolValue)
      doubleValue = try container.decodeIfPresent(Double.self, forKey: .doubleValue)
    }

    var text: String? { stringValue ?? intValue ?? boolValue.map { "\($0)" } ?? doubleValue.map { "\($0)" } }
  }
}
