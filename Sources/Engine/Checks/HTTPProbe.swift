import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VRAClient

/// One GET of a URL: passes when the status is one of `expectStatus` and, when set, the body
/// holds `expectBody`.
struct HTTPProbe: Sendable {
  var url: URL
  var expectStatus: [Int]
  var expectBody: String?
  var headers: [String: String]

  /// How much of an answer's body is read: enough for a health page, bounded for anything else.
  static let bodyLimit = 64 * 1024

  func attempt(timeout: Duration) async throws -> ProbeResult {
    var request = HTTPClientRequest(url: url.absoluteString)
    request.method = .GET
    request.headers.add(name: "User-Agent", value: "vra-engine-check")
    for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
    let deadline = TimeAmount.milliseconds(Int64((timeout / .milliseconds(1)).rounded()))
    do {
      // The process's pooled client, with no connect retries (a refused connection is an attempt's
      // answer) and no redirects (a 302 is reported as such; list it in `expectStatus` to accept
      // it). Nothing of vRA's credentials or retries goes with it: those live in `VRAClient`.
      let response = try await SharedHTTPClient.instance.execute(request, timeout: deadline)
      var collected = ByteBuffer()
      for try await var chunk in response.body {
        let room = Self.bodyLimit - collected.readableBytes
        if room <= 0 { break }
        if chunk.readableBytes > room { chunk = chunk.getSlice(at: chunk.readerIndex, length: room) ?? chunk }
        collected.writeBuffer(&chunk)
      }
      let body = String(buffer: collected)
      let status = Int(response.status.code)
      let expected = expectStatus.map(String.init).joined(separator: " or ")
      guard expectStatus.contains(status) else {
        return ProbeResult(
          passed: false, summary: "HTTP \(status), expected \(expected)", code: status, output: body)
      }
      if let expectBody, !body.contains(expectBody) {
        return ProbeResult(
          passed: false, summary: "HTTP \(status) without the expected text in its body", code: status, output: body)
      }
      return ProbeResult(passed: true, summary: "HTTP \(status)", code: status, output: body)
    } catch let error as HTTPClientError where error == .deadlineExceeded {
      return ProbeResult(passed: false, summary: "no answer within \(PlanDurationParser.text(timeout))")
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      if Task.isCancelled { throw CancellationError() }
      return ProbeResult(passed: false, summary: Self.describe(error))
    }
  }

  /// `connection refused`, `no such host`, ... instead of NIO's type dumps.
  static func describe(_ error: any Error) -> String {
    let text = "\(error)"
    if text.contains("Connection refused") || text.contains("connectionRefused") { return "connection refused" }
    if text.contains("connectTimeout") || text.contains("deadlineExceeded") { return "no answer in time" }
    if text.contains("Name or service not known") || text.contains("NXDOMAIN") || text.contains("resolution") {
      return "could not resolve the host"
    }
    if text.contains("connection reset") || text.contains("remoteConnectionClosed") { return "connection closed" }
    return "could not connect: \(text)"
  }
}
