import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One answer of the service, timed from the first byte sent to the whole body read.
struct Answer: Sendable {
  var status: Int
  var headers: HTTPHeaders
  var body: Data
  var milliseconds: Double

  func header(_ name: String) -> String? { headers.first(name: name) }
  func decode<T: Decodable>(_ type: T.Type) -> T? { try? JSONDecoder().decode(T.self, from: body) }
  /// The body's first characters, for a report line.
  var excerpt: String { String(decoding: body.prefix(300), as: UTF8.self).replacingOccurrences(of: "\n", with: " ") }
}

/// What `POST /api/v1/runs` and the listing answer, as far as the benchmark reads them.
struct RunSummary: Decodable, Sendable {
  var id: String
  var status: String
  var plan: String
}

struct RunPage: Decodable, Sendable {
  var runs: [RunSummary]
  var next: String?
}

/// `GET /api/v1/runs/{id}`: a `RunReport`; only the run's id and status are read.
struct RunReportAnswer: Decodable, Sendable {
  struct Run: Decodable, Sendable {
    var id: String
    var status: String
  }
  var run: Run
}

struct SimulatorStats: Decodable, Sendable {
  var requests: [String: [String: Int]]
  var totalRequests: Int
  var passwordLogins: Int
  var tokenRefreshes: Int
  var deploymentsCreated: Int
  var duplicateDeploymentNames: Int
}

/// The statuses after which nothing happens to a run any more.
let finalStatuses: Set<String> = ["succeeded", "failed", "cancelled", "destroyed", "destroy-failed"]
let unfinishedStatuses = ["pending", "running", "cancelling", "submitted", "destroying"]

/// The service's API over one `HTTPClient` whose pool holds a connection per client, so the pool
/// never queues a request and the latencies are the service's.
struct ServeAPI: Sendable {
  let http: HTTPClient
  let server: String
  let token: String
  let timeout: TimeAmount

  func call(
    _ method: HTTPMethod, _ path: String, body: Data? = nil, headers extra: [(String, String)] = [],
    authorized: Bool = true, base: String? = nil
  ) async throws -> Answer {
    var request = HTTPClientRequest(url: (base ?? server) + path)
    request.method = method
    request.headers.add(name: "Accept", value: "application/json")
    if authorized { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(bytes: body))
    }
    for (name, value) in extra { request.headers.add(name: name, value: value) }
    let start = ContinuousClock.now
    let response = try await http.execute(request, timeout: timeout)
    let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
    let elapsed = ContinuousClock.now - start
    return Answer(
      status: Int(response.status.code), headers: response.headers, body: Data(collected.readableBytesView),
      milliseconds: elapsed.milliseconds)
  }

  func submit(_ submission: Submission) async throws -> Answer {
    try await call(
      .POST, "/api/v1/runs", body: submission.body, headers: [("Idempotency-Key", submission.key)],
      base: submission.server)
  }

  func report(_ id: String) async throws -> Answer {
    try await call(.GET, "/api/v1/runs/\(id)")
  }

  func list(statuses: [String]? = nil, limit: Int, cursor: String? = nil) async throws -> Answer {
    var query = ["limit=\(limit)"]
    if let statuses { query.append("status=" + statuses.joined(separator: ",")) }
    if let cursor {
      query.append("cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor))
    }
    return try await call(.GET, "/api/v1/runs?" + query.joined(separator: "&"))
  }

  func simulatorStats(_ simulator: String) async -> SimulatorStats? {
    guard let answer = try? await call(.GET, "/_sim/stats", authorized: false, base: simulator) else { return nil }
    return answer.decode(SimulatorStats.self)
  }
}

/// One logical submission: a plan of `stages` stages (each a Cloud.Network; from the second on,
/// each takes the previous stage's network id as an input, so the stages run one after the other),
/// its deployment names and plan name unique to it, its `Idempotency-Key`, and the server it is
/// sent to (replicas are sent submissions in turn; a key sent again goes to the same one). The plan
/// name is how a listed run is traced back to the submission that made it (the listing does not
/// show keys).
struct Submission: Sendable {
  var key: String
  var planName: String
  var body: Data
  var server: String?

  static let template = """
    formatVersion: 1
    inputs:
      cidr: {type: string, default: 10.0.0.0/24}
    resources:
      net:
        type: Cloud.Network
        properties: {cidr: '${input.cidr}'}
    outputs:
      networkId: {value: '${resource.net.id}'}
    """

  /// The template of every stage after the first: the previous network's id as an input.
  static let chainedTemplate = """
    formatVersion: 1
    inputs:
      cidr: {type: string, default: 10.0.0.0/24}
      after: {type: string}
    resources:
      net:
        type: Cloud.Network
        properties: {cidr: '${input.cidr}', name: '${input.after}'}
    outputs:
      networkId: {value: '${resource.net.id}'}
    """

  private struct Body: Encodable {
    var plan: String
    var files: [String: String]
  }

  init(nonce: String, client: Int, index: Int, project: String, stages: Int = 1, server: String? = nil) {
    let name = "bench-\(nonce)-c\(client)-\(index)"
    key = name
    planName = name
    self.server = server
    var plan = """
      name: \(name)
      defaults: {project: \(project)}
      stages:
        net: {template: templates/network.yaml, deploymentName: "\(name)"}
      """
    var files = ["templates/network.yaml": Self.template]
    if stages > 1 {
      files["templates/chained.yaml"] = Self.chainedTemplate
      for stage in 2...stages {
        let previous = stage == 2 ? "net" : "net\(stage - 1)"
        plan += """

            net\(stage):
              template: templates/chained.yaml
              deploymentName: "\(name)-\(stage)"
              inputs: {after: "${stages.\(previous).outputs.networkId}"}
          """
      }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    body = try! encoder.encode(Body(plan: plan, files: files))
  }
}

extension Duration {
  var milliseconds: Double {
    Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
  }
  var seconds: Double { milliseconds / 1000 }
}
