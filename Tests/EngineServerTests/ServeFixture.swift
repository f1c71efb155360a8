import AsyncHTTPClient
import Crypto
import EngineRuntime
import Foundation
import Logging
import NIOHTTP1
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import EngineServer

/// Two tenants on one `serve`, each with its own org, user and project in one simulator, and a
/// canary password per tenant that must never show in any answer, event or log line.
struct ServeFixture: Sendable {
  struct Tenant: Sendable {
    var name: String
    var token: String
    var project: String
    var username: String
    /// The tenant's vRA password: a canary.
    var password: String
  }

  static let teamA = Tenant(
    name: "team-a", token: "vre_tokenA_\(UUID().uuidString)", project: "Development", username: "svc-a",
    password: "canary-A-\(UUID().uuidString.prefix(8))")
  static let teamB = Tenant(
    name: "team-b", token: "vre_tokenB_\(UUID().uuidString)", project: "Production", username: "svc-b",
    password: "canary-B-\(UUID().uuidString.prefix(8))")

  let simulator: SimulatorServer
  let running: EngineService.Running
  let http: APICaller
  let directory: URL

  static func hash(_ token: String) -> String {
    SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
  }

  /// serve.yaml for the two tenants, as a user writes it.
  static func configurationText(
    statePath: String, simulatorURL: String, maxConcurrentRuns: Int = 5, maxQueuedRuns: Int = 20
  ) -> String {
    var text = """
      listen: 127.0.0.1:0
      state: {url: \(statePath)}
      tenants:

      """
    for tenant in [teamA, teamB] {
      text += """
          - name: \(tenant.name)
            tokens: ["sha256:\(hash(tenant.token))"]
            vra: {url: "\(simulatorURL)", username: \(tenant.username), password: "\(tenant.password)", domain: corp}
            projects: [\(tenant.project)]
            maxConcurrentRuns: \(maxConcurrentRuns)
            maxQueuedRuns: \(maxQueuedRuns)

        """
    }
    return text
  }

  /// Runs `body` with a simulator (two orgs) and a service over a fresh state directory.
  static func with<T: Sendable>(
    timeScale: Double = 0.01, maxConcurrentRuns: Int = 5, maxQueuedRuns: Int = 20,
    _ body: @escaping @Sendable (ServeFixture) async throws -> T
  ) async throws -> T {
    try await withSimulator(timeScale: timeScale) { simulator in
      try await withService(
        simulator: simulator, directory: try Scratch.directory(), maxConcurrentRuns: maxConcurrentRuns,
        maxQueuedRuns: maxQueuedRuns, body)
    }
  }

  /// A simulator with one org, user and project per tenant.
  static func withSimulator<T: Sendable>(
    timeScale: Double = 0.01, _ body: (SimulatorServer) async throws -> T
  ) async throws -> T {
    var simulatorConfiguration = SimulatorConfiguration()
    simulatorConfiguration.host = "127.0.0.1"
    simulatorConfiguration.port = 0
    simulatorConfiguration.timeScale = timeScale
    // Resources named fail-… fail, for runs that must fail.
    simulatorConfiguration.faults.enabled = true
    simulatorConfiguration.faults.failResources = ["fail-*"]
    simulatorConfiguration.orgs = [teamA, teamB].map {
      OrgSeed(
        name: "\($0.name)-org", users: [UserSeed(username: $0.username, password: $0.password, domain: "corp")],
        projects: [$0.project])
    }
    let simulator = try await SimulatorServer.start(configuration: simulatorConfiguration)
    do {
      let result = try await body(simulator)
      await simulator.stop()
      return result
    } catch {
      await simulator.stop()
      throw error
    }
  }

  /// A service over the state in `directory`, against `simulator`.
  static func withService<T: Sendable>(
    simulator: SimulatorServer, directory: URL, maxConcurrentRuns: Int = 5, maxQueuedRuns: Int = 20,
    environment: [String: String] = [:], _ body: @escaping @Sendable (ServeFixture) async throws -> T
  ) async throws -> T {
    let file = directory.appendingPathComponent("serve.yaml")
    try Data(
      configurationText(
        statePath: directory.appendingPathComponent("state.db").path, simulatorURL: simulator.baseURL,
        maxConcurrentRuns: maxConcurrentRuns, maxQueuedRuns: maxQueuedRuns
      ).utf8
    ).write(to: file)
    let configuration = try ServeConfiguration.load(path: file.path)
    return try await EngineService.with(configuration, environment: environment) { running in
      try await body(
        ServeFixture(
          simulator: simulator, running: running, http: APICaller(baseURL: running.baseURL, checksEachAnswer: false),
          directory: directory))
    }
  }

  // MARK: Calls

  func submit(
    _ tenant: Tenant, plan: String, files: [String: String] = [:], key: String? = nil,
    headers: [(String, String)] = []
  ) async throws -> APIResponse {
    var extra = headers
    if let key { extra.append(("Idempotency-Key", key)) }
    return try await http.call(
      .POST, "/api/v1/runs", token: tenant.token,
      json: ["plan": .string(plan), "files": .object(files.mapValues(JSONValue.string))], headers: extra)
  }

  /// Polls the run's report until its status is one of `statuses`.
  func waitForStatus(
    _ tenant: Tenant, run: String, in statuses: Set<String>, timeout: Duration = .seconds(60)
  ) async throws -> JSONValue {
    try await pollForValue(timeout: timeout, every: .milliseconds(50)) { () async throws -> JSONValue? in
      let response = try await http.call(.GET, "/api/v1/runs/\(run)", token: tenant.token)
      // JSONValue is nil-literal expressible: spell the optional's none out.
      guard response.status == 200, case .string(let status)? = response.json["run"]?["status"],
        statuses.contains(status)
      else { return Optional<JSONValue>.none }
      return response.json
    }
  }

  /// The run's whole event stream (to its `end`), as raw text.
  func eventStream(_ tenant: Tenant, run: String, lastEventID: String? = nil) async throws -> (Int, String) {
    let response = try await http.call(
      .GET, "/api/v1/runs/\(run)/events", token: tenant.token,
      headers: lastEventID.map { [("Last-Event-ID", $0)] } ?? [])
    return (response.status, String(decoding: response.body, as: UTF8.self))
  }

  static func plan(name: String = "net", project: String? = nil, deployment: String = "net-${run.id}") -> String {
    """
    name: \(name)
    defaults: {project: \(project ?? "Development")}
    stages:
      net: {template: templates/network.yaml, deploymentName: "\(deployment)"}
    """
  }
}
