import Credentials
import Engine
import Foundation
import Logging
import RunState
import Synchronization
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

@testable import EngineServer

/// A simulator with one project and a template that provisions in `seconds` of real time, for the
/// tracking tests: every replica gets its own client on it.
struct ReplicaTrackingFixture {
  let harness: SimulatorHarness
  let refreshToken: String
  let projectId: String
  let blueprintId: String
  let client: VRAClient

  static let org = "vsphere.local"
  static let listRoute = "GET /deployment/api/deployments"

  static func with<T: Sendable>(seconds: Double, _ body: (ReplicaTrackingFixture) async throws -> T) async throws -> T {
    try await SimulatorHarness.with(
      { configuration in
        configuration.timeScale = 0.01
        configuration.orgs = [
          OrgSeed(
            name: org, users: [UserSeed(username: "admin", password: "VMware1!", domain: "vsphere.local")],
            projects: ["Development"])
        ]
        configuration.durations.resourceTypes["Test.Slow"] = seconds / 0.01
      },
      { harness in
        let refresh = try await harness.http.login().refresh
        let client = try makeClient(harness, refresh)
        let projectId = try #require(try await client.projects().collect().first?.id)
        let blueprint = Blueprint(
          name: "slow", content: "formatVersion: 1\nresources:\n  vm:\n    type: Test.Slow\n    properties: {}\n",
          projectId: projectId, requestScopeOrg: true)
        let blueprintId = try #require(try await client.createBlueprint(blueprint).id)
        return try await body(
          ReplicaTrackingFixture(
            harness: harness, refreshToken: refresh, projectId: projectId, blueprintId: blueprintId, client: client))
      })
  }

  private static func makeClient(_ harness: SimulatorHarness, _ refresh: String) throws -> VRAClient {
    try VRAClient(
      configuration: VRAClientConfiguration(
        endpoint: URL(string: harness.server.baseURL)!, organization: org,
        authentication: .refreshToken(Secret(refresh)),
        logger: quietLogger))
  }

  /// A client of its own, as each replica has.
  func makeClient() throws -> VRAClient { try Self.makeClient(harness, refreshToken) }

  /// Starts `count` deployments; returns their `(deploymentId, requestId)`.
  func deploy(_ count: Int, prefix: String) async throws -> [(deployment: String, request: String)] {
    var started: [(String, String)] = []
    for index in 0..<count {
      let answer = try await client.createBlueprintRequest(
        BlueprintRequest(blueprintId: blueprintId, deploymentName: "\(prefix)-\(index)", projectId: projectId))
      started.append((try #require(answer.deploymentId), try #require(answer.requestTrackerId)))
    }
    return started
  }

  /// Deployment list calls the simulator answered so far.
  func listCalls() async throws -> Int {
    try await harness.http.call(.GET, "/_sim/stats", checkFidelity: false).decode(SimulatorStatsSnapshot.self)
      .count(Self.listRoute)
  }

  var scopeKey: String {
    TrackerCoordinator.scopeKey(tenantScope: "test@\(harness.server.baseURL)|\(Self.org)", projectId: projectId)
  }

  static var quietLogger: Logger {
    var logger = Logger(label: "test.replica-tracking")
    logger.logLevel = .critical
    return logger
  }

  /// Quick loops for tests; the logic is the production one.
  static let trackerConfiguration = TrackerConfiguration(
    minInterval: .milliseconds(100), maxInterval: .milliseconds(400), logger: quietLogger)
}

/// One replica as a test runs it: its own store on the shared database, client, tracker and coordinator.
struct TestReplica: Sendable {
  let index: Int
  let store: SQLStateStore
  let tracker: DeploymentTracker
  let coordinator: TrackerCoordinator
}

/// The replicas running now, as their tasks report them.
final class ReplicaRegistry: Sendable {
  private let replicas = Mutex<[Int: TestReplica]>([:])

  func add(_ replica: TestReplica) { replicas.withLock { $0[replica.index] = replica } }
  func replica(_ index: Int) -> TestReplica? { replicas.withLock { $0[index] } }
  var all: [TestReplica] { replicas.withLock { $0.values.sorted { $0.index < $1.index } } }
  func replica(ownerId: String) -> TestReplica? { all.first { $0.store.owner.id == ownerId } }
}

extension ReplicaTrackingFixture {
  /// Runs one replica until its waits on `deployments` end: they go through its coordinator
  /// (`coordinated`), or straight to its tracker (each replica polling for itself, as before).
  /// Cancelling the task is the replica dying: nothing is released or deleted.
  func runReplica(
    _ index: Int, on location: PostgresStateLocation, settings: TrackerCoordinator.Settings, coordinated: Bool = true,
    waitingFor deployments: [(deployment: String, request: String)], registry: ReplicaRegistry,
    finishLine: FinishLine? = nil
  ) async throws -> [TrackedUpdate] {
    let store = try await SQLStateStore.openPostgres(location, logger: Self.quietLogger)
    do {
      let results = try await DeploymentTracker.with(
        client: try makeClient(), configuration: Self.trackerConfiguration
      ) { tracker in
        let coordinator = TrackerCoordinator(store: store, settings: settings, logger: Self.quietLogger)
        registry.add(TestReplica(index: index, store: store, tracker: tracker, coordinator: coordinator))
        return try await withThrowingTaskGroup(of: [TrackedUpdate]?.self) { group in
          group.addTask {
            await coordinator.run()
            return nil
          }
          group.addTask {
            do {
              return try await wait(for: deployments, tracker: tracker, coordinator: coordinator)
            } catch {
              await finishLine?.leave()  // the others need not wait for this one
              throw error
            }
          }
          var results: [TrackedUpdate] = []
          while let next = try await group.next() {
            if let next {
              results = next
              // Up until every replica's waits ended (a replica that stops hands its scopes over).
              await finishLine?.arrive()
              await coordinator.stop()
            }
          }
          return results
        }
      }
      try await store.close()
      return results
    } catch {
      try? await store.close()
      throw error
    }

    func wait(
      for deployments: [(deployment: String, request: String)], tracker: DeploymentTracker,
      coordinator: TrackerCoordinator
    ) async throws -> [TrackedUpdate] {
      try await withThrowingTaskGroup(of: TrackedUpdate.self) { waits in
        for item in deployments {
          waits.addTask {
            if coordinated {
              try await coordinator.waitForEnd(
                scopeKey: scopeKey, tracker: tracker, deploymentId: item.deployment, projectId: projectId,
                requestId: item.request, runId: "run-\(index)", timeout: .seconds(60)
              ) { _ in }
            } else {
              try await tracker.lastUpdate(
                deploymentId: item.deployment, projectId: projectId, requestId: item.request,
                timeout: .seconds(60))
            }
          }
        }
        return try await waits.reduce(into: []) { $0.append($1) }
      }
    }
  }
}

/// Holds each replica that arrives until `count` have.
actor FinishLine {
  private var left: Int
  private var waiting: [CheckedContinuation<Void, Never>] = []

  init(count: Int) { left = count }

  func arrive() async {
    leave()
    guard left > 0 else { return }
    await withCheckedContinuation { waiting.append($0) }
  }

  /// Counts one as arrived without waiting (a replica that died).
  func leave() {
    left -= 1
    guard left <= 0 else { return }
    for continuation in waiting { continuation.resume() }
    waiting = []
  }
}

/// Polls `condition` until it holds or `timeout` passes; returns what it last returned.
func poll<T>(
  timeout: Duration, every interval: Duration = .milliseconds(50), _ condition: () async throws -> T?
) async rethrows -> T? {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if let value = try await condition() { return value }
    try? await Task.sleep(for: interval)
  }
  return try await condition()
}
