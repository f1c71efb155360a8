import Credentials
import Engine
import Foundation
import Logging
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

/// A simulator with two projects, a client, and templates whose duration the test chooses.
struct TrackerFixture {
  let harness: SimulatorHarness
  let client: VRAClient
  let projects: [String]
  /// Blueprint ids by template name.
  let blueprints: [String: String]

  /// `Test.Slow` provisions in `slowSeconds` (scaled by `timeScale`); a resource named `bad` always fails.
  static func with<T: Sendable>(
    slowSeconds: Double = 100, timeScale: Double = 0.01, _ body: (TrackerFixture) async throws -> T
  ) async throws -> T {
    try await SimulatorHarness.with(
      { configuration in
        configuration.timeScale = timeScale
        configuration.orgs = [
          OrgSeed(
            name: "vsphere.local", users: [UserSeed(username: "admin", password: "VMware1!", domain: "vsphere.local")],
            projects: ["Development", "Production"])
        ]
        configuration.durations.resourceTypes["Test.Slow"] = slowSeconds
        configuration.durations.resourceTypes["Test.Quick"] = 1
        configuration.faults.enabled = true
        configuration.faults.failResources = ["bad"]
      },
      { harness in
        let refresh = Secret(try await harness.http.login().refresh)
        var logger = Logger(label: "test.tracker")
        logger.logLevel = .critical
        let client = try VRAClient(
          configuration: VRAClientConfiguration(
            endpoint: URL(string: harness.server.baseURL)!, organization: "vsphere.local",
            authentication: .refreshToken(refresh), logger: logger))
        let projects = try await client.projects().collect().sorted { ($0.name ?? "") < ($1.name ?? "") }.map(\.id)
        var blueprints: [String: String] = [:]
        for (name, content) in Self.templates {
          let blueprint = Blueprint(name: name, content: content, projectId: projects[0], requestScopeOrg: true)
          blueprints[name] = try requireValue(try await client.createBlueprint(blueprint).id, "blueprint id")
        }
        return try await body(
          TrackerFixture(harness: harness, client: client, projects: projects, blueprints: blueprints))
      })
  }

  static let templates = [
    "slow": "formatVersion: 1\nresources:\n  vm:\n    type: Test.Slow\n    properties: {}\n",
    "quick": "formatVersion: 1\nresources:\n  vm:\n    type: Test.Quick\n    properties: {}\n",
    "failing": "formatVersion: 1\nresources:\n  bad:\n    type: Test.Quick\n    properties: {}\n",
  ]

  /// Deploys a template into a project; returns `(deploymentId, requestId)`.
  func deploy(_ template: String, in projectId: String, name: String) async throws -> (String, String) {
    let request = BlueprintRequest(blueprintId: blueprints[template]!, deploymentName: name, projectId: projectId)
    let answer = try await client.createBlueprintRequest(request)
    let deploymentId = try requireValue(answer.deploymentId, "deploymentId")
    let requestId = try requireValue(answer.requestTrackerId, "requestTrackerId")
    return (deploymentId, requestId)
  }

  func stats() async throws -> SimulatorStatsSnapshot {
    try await harness.http.call(.GET, "/_sim/stats", checkFidelity: false).decode(SimulatorStatsSnapshot.self)
  }

  func recentCalls() async throws -> [RecordedCall] {
    try await harness.http.call(.GET, "/_sim/calls", checkFidelity: false).decode([RecordedCall].self)
  }

  static let listRoute = "GET /deployment/api/deployments"
  static let deploymentRoute = "GET /deployment/api/deployments/{deploymentId}"
  static let requestRoute = "GET /deployment/api/requests/{requestId}"

  static var quietLogger: Logger {
    var logger = Logger(label: "test.tracker")
    logger.logLevel = .critical
    return logger
  }

  /// Fast loops for tests: the interval logic is the same, only shorter.
  static func configuration(
    minInterval: Duration = .milliseconds(50), maxInterval: Duration = .milliseconds(400),
    recheckAfter: Duration = .seconds(60)
  ) -> TrackerConfiguration {
    TrackerConfiguration(
      minInterval: minInterval, maxInterval: maxInterval, recheckAfter: recheckAfter, logger: quietLogger)
  }
}

struct MissingValue: Error, CustomStringConvertible {
  var what: String
  var description: String { "missing \(what)" }
}

func requireValue<T>(_ value: T?, _ what: String) throws -> T {
  guard let value else { throw MissingValue(what: what) }
  return value
}
