import Credentials
import Engine
import Foundation
import RunState
import Synchronization
import TestSupport
import VRAClient
import VRAModels
import VRASimulator

/// A simulator, a state database in a temporary folder, a client, a tracker: everything a run
/// needs, real parts over real HTTP on 127.0.0.1.
struct OrchestrationHarness {
  let simulator: SimulatorHarness
  let directory: URL
  let store: SQLStateStore
  let client: VRAClient
  let trackerHandle: TrackerHandle
  var tracker: DeploymentTracker { trackerHandle.tracker }
  let events = EventLog()

  /// Every event of a run, in order.
  final class EventLog: Sendable {
    let events = Mutex<[RunEvent]>([])
    func append(_ event: RunEvent) { events.withLock { $0.append(event) } }
    var all: [RunEvent] { events.withLock { $0 } }
    /// Statuses each stage went through.
    func statuses(of stage: String) -> [StageStatus] {
      all.compactMap { if case .stage(stage, let status, _) = $0 { status } else { nil } }
    }
  }

  static func start(
    _ configure: @escaping @Sendable (inout SimulatorConfiguration) -> Void = { _ in }
  ) async throws -> OrchestrationHarness {
    let simulator = try await SimulatorHarness.start {
      $0.timeScale = 0.01
      var org = OrgSeed.default
      org.projects = ["Development", "Production"]
      $0.orgs = [org]
      configure(&$0)
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try await SQLStateStore.openSQLite(at: directory.appendingPathComponent("state.db").path)
    let client = try VRAClient(
      configuration: VRAClientConfiguration(
        endpoint: URL(string: simulator.server.baseURL)!,
        authentication: .password(username: "admin", password: Secret("VMware1!"), domain: "vsphere.local")))
    let trackerHandle = await TrackerHandle.start(
      client: client,
      configuration: TrackerConfiguration(minInterval: .milliseconds(50), maxInterval: .milliseconds(400)))
    return OrchestrationHarness(
      simulator: simulator, directory: directory, store: store, client: client, trackerHandle: trackerHandle)
  }

  func stop() async {
    await trackerHandle.stop()
    try? await store.close()
    await simulator.stop()
    try? FileManager.default.removeItem(at: directory)
  }

  /// Writes the files (`plan.yaml`, templates) and loads the validated plan.
  func plan(_ files: [String: String], environment: [String: String] = [:]) throws -> Plan {
    for (name, text) in files {
      let url = directory.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try text.write(to: url, atomically: true, encoding: .utf8)
    }
    return try PlanLoader.loadValidated(
      contentsOf: directory.appendingPathComponent("plan.yaml"), environment: environment
    ).plan
  }

  func orchestrator(_ plan: Plan, environment: [String: String] = [:]) -> Orchestrator {
    let events = self.events
    return Orchestrator(
      plan: plan, client: client, store: store, tracking: tracker, environment: environment,
      events: { events.append($0) })
  }

  /// Deployments the simulator holds, by name.
  func deploymentNames() async throws -> [String] {
    try await client.deployments().collect().map(\.name).sorted()
  }
}
