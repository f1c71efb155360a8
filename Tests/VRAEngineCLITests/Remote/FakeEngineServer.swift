import EngineServer
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VRAModels
import VRASimulator

/// A stand-in for `vra-engine serve` on 127.0.0.1 (any free port), over real HTTP: each route
/// answers the replies a test scripts for it, in order (the last one again once they run out), and
/// every request is recorded with its headers and body. Enough to drive the CLI's `--server` mode
/// through every answer the API documents, dropped event streams and 503s included, before the
/// real server exists; a test of the real one points `--server` at its URL instead.
final class FakeEngineServer: Sendable {
  struct Recorded: Sendable {
    var method: String
    /// The path with its query string.
    var uri: String
    var headers: [String: String]
    var body: String

    func header(_ name: String) -> String? { headers[name.lowercased()] }
  }

  enum Reply: Sendable {
    /// A JSON (or problem) answer.
    case json(status: Int, body: String, headers: [String: String] = [:])
    /// A `text/event-stream` answer written chunk by chunk (each flushed); with `thenDrop`, the
    /// connection is closed after the last chunk without ending the response, once `dropWhen`
    /// returns (a close right after the writes can discard the ones not yet on the wire, so a
    /// test that needs them read waits for its client to have them).
    case events([String], thenDrop: Bool = false, dropWhen: (@Sendable () async -> Void)? = nil)

    /// `value` encoded as the server encodes it (`VRAJSON`).
    static func encoded(_ value: some Encodable, status: Int = 200, headers: [String: String] = [:]) -> Reply {
      let body = (try? VRAJSON.makeEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
      return .json(status: status, body: body, headers: headers)
    }

    static func problem(
      _ type: ProblemType, detail: String? = nil, errors: [Problem.Item]? = nil, retryAfter: Int? = nil
    ) -> Reply {
      let problem = Problem(type, detail: detail, errors: errors, retryAfterSeconds: retryAfter)
      let body = (try? JSONEncoder().encode(problem)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
      var headers = ["Content-Type": "application/problem+json"]
      if type == .unauthenticated { headers["WWW-Authenticate"] = "Bearer" }
      if let retryAfter { headers["Retry-After"] = String(retryAfter) }
      return .json(status: type.status.code, body: body, headers: headers)
    }
  }

  private actor Script {
    var replies: [String: [Reply]] = [:]
    var requests: [Recorded] = []

    func set(_ route: String, _ list: [Reply]) { replies[route] = list }

    func next(for route: String, recording request: Recorded) -> Reply? {
      requests.append(request)
      guard var list = replies[route], let first = list.first else { return nil }
      if list.count > 1 {
        list.removeFirst()
        replies[route] = list
      }
      return first
    }
  }

  /// The connection was closed on purpose (`Reply.events(_, thenDrop: true)`).
  struct Dropped: Error {}

  private let script: Script
  private let server: BackgroundServer

  var url: String { "http://127.0.0.1:\(server.port)" }

  private init(script: Script, server: BackgroundServer) {
    self.script = script
    self.server = server
  }

  static func with<Result>(_ body: (FakeEngineServer) async throws -> Result) async throws -> Result {
    let script = Script()
    let router = Router()
    let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
      let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
      var headers: [String: String] = [:]
      for field in request.headers { headers[field.name.canonicalName] = field.value }
      let recorded = Recorded(
        method: request.method.rawValue, uri: request.uri.description, headers: headers,
        body: String(buffer: body))
      let route = "\(request.method.rawValue) \(request.uri.path)"
      guard let reply = await script.next(for: route, recording: recorded) else {
        return Response(status: .notFound, body: ResponseBody(byteBuffer: ByteBuffer(string: "no reply for \(route)")))
      }
      return response(reply)
    }
    router.get("**", use: handler)
    router.post("**", use: handler)
    var logger = Logger(label: "fake-engine-server")
    logger.logLevel = .critical
    let server = try await BackgroundServer.start(router: router, host: "127.0.0.1", port: 0, logger: logger)
    let fake = FakeEngineServer(script: script, server: server)
    do {
      let result = try await body(fake)
      await server.stop()
      return result
    } catch {
      await server.stop()
      throw error
    }
  }

  private static func response(_ reply: Reply) -> Response {
    switch reply {
    case .json(let status, let body, let extra):
      var headers: HTTPFields = [.contentType: "application/json"]
      for (name, value) in extra {
        if let field = HTTPField.Name(name) { headers[field] = value }
      }
      return Response(
        status: HTTPResponse.Status(code: status), headers: headers,
        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    case .events(let chunks, let thenDrop, let dropWhen):
      return Response(
        status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
        body: ResponseBody { writer in
          for chunk in chunks { try await writer.write(ByteBuffer(string: chunk)) }
          if thenDrop {
            await dropWhen?()
            throw Dropped()
          }
          try await writer.finish(nil)
        })
    }
  }

  /// Scripts the replies of `method path` (`GET /api/v1/runs/abc`), in order.
  func on(_ method: String, _ path: String, _ replies: Reply...) async {
    await script.set("\(method) \(path)", replies)
  }

  /// Every request received, in order.
  func requests() async -> [Recorded] { await script.requests }

  func requests(_ method: String, _ path: String) async -> [Recorded] {
    await script.requests.filter { $0.method == method && $0.uri.split(separator: "?").first.map(String.init) == path }
  }
}

/// Server-sent event frames as the API writes them.
enum SSE {
  static func event(_ message: RunEventMessage) -> String {
    let data = (try? VRAJSON.makeEncoder().encode(message)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    return "id: \(message.sequence)\nevent: \(message.kind)\ndata: \(data)\n\n"
  }

  static func end(_ status: String) -> String { "event: end\ndata: {\"status\":\"\(status)\"}\n\n" }

  /// The events of a run of `stages` that ends `final` (each stage submitted, running, then
  /// succeeded, or failed for the last when the run failed).
  static func run(_ id: String, stages: [String], final: String) -> [RunEventMessage] {
    var sequence: Int64 = 0
    var messages: [RunEventMessage] = []
    func add(_ kind: String, stage: String? = nil, _ data: JSONValue) {
      sequence += 1
      messages.append(
        RunEventMessage(
          sequence: sequence, at: Date(timeIntervalSince1970: 1_795_000_000 + Double(sequence)), kind: kind,
          stage: stage, message: "\(kind) \(stage ?? "")", data: data))
    }
    add("run.created", ["plan": "web", "planPath": "plan.yaml", "stages": .array(stages.map(JSONValue.string))])
    add("run.status", ["from": "pending", "to": "running"])
    for (index, stage) in stages.enumerated() {
      let failing = final == "failed" && index == stages.count - 1
      add("stage.context", stage: stage, ["project": "Development"])
      add(
        "stage.status", stage: stage,
        ["from": "pending", "to": "submitting", "deploymentName": .string("\(stage)-\(id)")])
      add("stage.progress", stage: stage, ["completedTasks": 1, "totalTasks": 2])
      add(
        "stage.status", stage: stage,
        ["from": "submitting", "to": "running", "deploymentName": .string("\(stage)-\(id)")])
      add(
        "stage.status", stage: stage,
        failing
          ? ["from": "running", "to": "failed", "error": ["class": "deployment", "message": "no placement"]]
          : ["from": "running", "to": "succeeded", "deploymentName": .string("\(stage)-\(id)")])
    }
    add("run.status", ["from": "running", "to": .string(final)])
    return messages
  }

  /// A report as `GET /api/v1/runs/{id}` answers it.
  static func report(_ id: String, stages: [String], final: String) -> String {
    let stageObjects = stages.enumerated().map { index, stage in
      let failing = final == "failed" && index == stages.count - 1
      return """
        {"name": "\(stage)", "status": "\(failing ? "failed" : "succeeded")", "deploymentName": "\(stage)-\(id)", \
        "deploymentId": "dep-\(stage)", "requestId": "req-\(stage)", "outputs": {"address": "10.0.0.\(index + 1)"}, \
        "resources": {"vm": {"id": "vm-\(index)"}}, \
        "error": \(failing ? #"{"class": "deployment", "message": "no placement"}"# : "null"), "approval": null,
        "check": null}
        """
    }
    return """
      {"run": {"id": "\(id)", "status": "\(final)", "startedAt": "2026-11-27T04:09:03.889Z", \
      "finishedAt": "2026-11-27T04:09:10.501Z"}, "stages": [\(stageObjects.joined(separator: ", "))]}
      """
  }

  static func resource(_ id: String, status: String = "running") -> RunResource {
    RunResource(
      id: id, status: status, plan: "web", tenant: "acme", project: "Development", region: nil, queuePosition: nil,
      cancelRequested: false, startedAt: Date(timeIntervalSince1970: 1_795_000_000), finishedAt: nil)
  }
}
