import Foundation

/// Counters for tests and benchmarks, served at `/_sim/stats` (never under a vRA path).
public struct SimulatorStatsSnapshot: Codable, Sendable {
  /// `"GET /deployment/api/deployments/{deploymentId}"` → status code → count.
  public var requests: [String: [String: Int]]
  public var totalRequests: Int
  /// Access tokens issued from a refresh or API token (`/iaas/api/login`, `.../authorize`).
  public var tokenRefreshes: Int
  /// Password logins (`/csp/gateway/am/api/login`).
  public var passwordLogins: Int
  public var deploymentsCreated: Int
  public var deploymentsLive: Int
  /// Deployment names that exist more than once in one org (0 unless `uniqueDeploymentNames` is off).
  public var duplicateDeploymentNames: Int
  /// Requests that carried a W3C `traceparent` header.
  public var traceparentHeaders: Int
  public var faultsInjected: Int
  public var connectionsDropped: Int

  /// Calls to one route template, any status.
  public func count(_ route: String) -> Int { requests[route]?.values.reduce(0, +) ?? 0 }
  public func count(_ route: String, status: Int) -> Int { requests[route]?[String(status)] ?? 0 }
}

/// One recent API call as the simulator saw it, for tests that check what a client sent.
public struct RecordedCall: Codable, Sendable {
  public var method: String
  public var path: String
  public var query: String
  public var route: String
  public var status: Int
  public var userAgent: String?
  public var traceparent: String?
  public var at: Date
}

actor SimulatorStats {
  private var requests: [String: [String: Int]] = [:]
  private var total = 0
  private(set) var tokenRefreshes = 0
  private(set) var passwordLogins = 0
  private(set) var deploymentsCreated = 0
  private var traceparents = 0
  private var faults = 0
  private var drops = 0
  private var recent: [RecordedCall] = []
  private let recentLimit = 2000

  func record(_ call: RecordedCall) {
    requests["\(call.method) \(call.route)", default: [:]][String(call.status), default: 0] += 1
    total += 1
    if call.traceparent != nil { traceparents += 1 }
    recent.append(call)
    if recent.count > recentLimit { recent.removeFirst(recent.count - recentLimit) }
  }

  func tokenRefreshed() { tokenRefreshes += 1 }
  func passwordLoggedIn() { passwordLogins += 1 }
  func deploymentCreated() { deploymentsCreated += 1 }
  func faultInjected() { faults += 1 }
  func connectionDropped() { drops += 1 }

  func recentCalls() -> [RecordedCall] { recent }

  func snapshot(deploymentsLive: Int, duplicateDeploymentNames: Int) -> SimulatorStatsSnapshot {
    SimulatorStatsSnapshot(
      requests: requests, totalRequests: total, tokenRefreshes: tokenRefreshes, passwordLogins: passwordLogins,
      deploymentsCreated: deploymentsCreated, deploymentsLive: deploymentsLive,
      duplicateDeploymentNames: duplicateDeploymentNames, traceparentHeaders: traceparents, faultsInjected: faults,
      connectionsDropped: drops)
  }

  func reset() {
    requests = [:]
    total = 0
    tokenRefreshes = 0
    passwordLogins = 0
    deploymentsCreated = 0
    traceparents = 0
    faults = 0
    drops = 0
    recent = []
  }
}
