import Foundation
import VRAModels

/// Everything `--state FILE` keeps across restarts, written atomically as JSON.
struct SimulatorSnapshot: Codable, Sendable {
  static let currentVersion = 1
  var version = SimulatorSnapshot.currentVersion
  var orgs: [OrgRecord]
  var users: [UserRecord]
  var projects: [ProjectRecord]
  var blueprints: [BlueprintRecord]
  var blueprintRequests: [BlueprintRequestRecord]
  var deployments: [DeploymentRecord]
  var requests: [RequestRecord]
  var tokens: TokenService.Snapshot
  /// Optional: states saved before approvals existed have neither.
  var approvals: [ApprovalRecord]?
  /// Only policies set at runtime (`PUT /_sim/approval-policies`); otherwise the configuration's apply.
  var approvalPolicies: [ApprovalPolicy]?

  static func load(from path: String) throws -> SimulatorSnapshot? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let snapshot = try VRAJSON.makeDecoder().decode(SimulatorSnapshot.self, from: data)
    guard snapshot.version == currentVersion else {
      throw SimulatorConfigurationError(
        file: path, message: "state file version \(snapshot.version) is not supported (expected \(currentVersion))")
    }
    return snapshot
  }

  /// Writes to a temporary file beside the target, then renames: a crash leaves the old or the new state, never half.
  func write(to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
    try VRAJSON.makeEncoder().encode(self).write(to: temporary)
    // rename(2) replaces atomically whether or not the target exists (FileManager.replaceItemAt does not on Linux).
    guard rename(temporary.path, url.path) == 0 else {
      throw SimulatorConfigurationError(
        file: path, message: "cannot replace the state file: \(String(cString: strerror(errno)))")
    }
  }
}

extension SimulatorState {
  func snapshot(tokens: TokenService.Snapshot) -> SimulatorSnapshot {
    SimulatorSnapshot(
      orgs: Array(orgs.values), users: users, projects: Array(projects.values), blueprints: Array(blueprints.values),
      blueprintRequests: Array(blueprintRequests.values), deployments: Array(deployments.values),
      requests: Array(requests.values), tokens: tokens, approvals: Array(approvals.values),
      approvalPolicies: approvalPoliciesOverridden ? approvalPolicies : nil)
  }

  func restore(_ snapshot: SimulatorSnapshot) {
    orgs = Dictionary(snapshot.orgs.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    users = snapshot.users
    projects = Dictionary(snapshot.projects.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    blueprints = Dictionary(snapshot.blueprints.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    blueprintRequests = Dictionary(
      snapshot.blueprintRequests.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    deployments = Dictionary(snapshot.deployments.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    requests = Dictionary(snapshot.requests.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    approvals = Dictionary((snapshot.approvals ?? []).map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    if let policies = snapshot.approvalPolicies {
      approvalPolicies = policies
      approvalPoliciesOverridden = true
    }
    rebuildTimeline()
    rebuildPendingPlans()
    markChanged()
  }
}
