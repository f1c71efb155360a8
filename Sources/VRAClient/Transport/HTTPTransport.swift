import AsyncHTTPClient
import Credentials
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import Tracing

/// Sends one HTTP attempt and reads the whole answer; knows nothing of retries or tokens.
struct HTTPTransport: Sendable {
  let client: HTTPClient
  /// Applied to https URLs only (nil: the HTTP client's default, system trust).
  let tls: TLSConfiguration?
  let userAgent: String
  let tracer: any Tracer
  /// vRA answers are small; anything bigger is a misbehaving proxy.
  static let maxBodyBytes = 64 * 1024 * 1024

  func send(
    _ request: APIRequest, url: String, bearer: Secret?, timeout: Duration
  ) async -> Result<RawResponse, TransportFailure> {
    var http = HTTPClientRequest(url: url)
    http.method = request.method
    http.headers.add(name: "Accept", value: "application/json")
    http.headers.add(name: "User-Agent", value: userAgent)
    if let bearer { http.headers.add(name: "Authorization", value: "Bearer \(bearer.exposed)") }
    if let body = request.body {
      http.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
      http.body = .bytes(ByteBuffer(bytes: body))
    }
    if let context = ServiceContext.current {
      tracer.inject(context, into: &http.headers, using: HTTPHeadersInjector())
    }
    if url.hasPrefix("https:"), let tls { http.tlsConfiguration = tls }

    do {
      let response = try await client.execute(http, timeout: TimeAmount(timeout))
      let body = try await response.body.collect(upTo: Self.maxBodyBytes)
      return .success(
        RawResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body)))
    } catch {
      if Task.isCancelled {
        return .failure(TransportFailure(kind: .cancelled, mayHaveReachedServer: true, detail: "cancelled"))
      }
      return .failure(TransportFailure.classify(error, url: url))
    }
  }
}

/// Writes trace context (`traceparent`, `tracestate`) into request headers.
struct HTTPHeadersInjector: Injector {
  func inject(_ value: String, forKey name: String, into headers: inout HTTPHeaders) {
    headers.replaceOrAdd(name: name, value: value)
  }
}
