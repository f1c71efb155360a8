import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels

@testable import EngineServer

/// `serve` replicas on one PostgreSQL share their deployment tracking: one of them polls vRA for
/// a project, the others read what it publishes. Real parts: the simulator over HTTP, PostgreSQL,
/// one store, client, tracker and coordinator per replica.
@Suite(.serialized) struct ReplicaTrackingTests {
  static let settings = TrackerCoordinator.Settings(
    leaseDuration: .seconds(3), renewInterval: .milliseconds(500), leaseCheckInterval: .milliseconds(200),
    observationPoll: .milliseconds(100), watchRefresh: .milliseconds(150), staleAfter: .seconds(30),
    sweepInterval: .seconds(10))

  /// Leases long enough that a loaded machine's late renewal does not move the tracking.
  static let steadySettings = {
    var settings = Self.settings
    settings.leaseDuration = .seconds(30)
    return settings
  }()

  private static func location() async throws -> PostgresStateLocation {
    try PostgresStateLocation.parse(try await PostgresTestCluster.shared().makeDatabase().url)
  }

  /// Runs the replicas (`deployments[i]` waited on by replica i) to the end of their waits;
  /// returns every replica's final updates and list calls, and the simulator's list calls.
  private static func measure(
    _ fixture: ReplicaTrackingFixture, coordinated: Bool, _ deployments: [[(deployment: String, request: String)]]
  ) async throws -> (updates: [TrackedUpdate], trackerCalls: [Int], simulatorCalls: Int, ticks: [Int]) {
    let location = try await location()
    let registry = ReplicaRegistry()
    let finishLine = FinishLine(count: deployments.count)
    let before = try await fixture.listCalls()
    let updates = try await withThrowingTaskGroup(of: [TrackedUpdate].self) { group in
      for (index, waits) in deployments.enumerated() {
        group.addTask {
          try await fixture.runReplica(
            index, on: location, settings: steadySettings, coordinated: coordinated, waitingFor: waits,
            registry: registry, finishLine: finishLine)
        }
      }
      return try await group.reduce(into: []) { $0 += $1 }
    }
    let simulatorCalls = try await fixture.listCalls() - before
    var trackerCalls: [Int] = []
    var ticks: [Int] = []
    for replica in registry.all {
      let statistics = await replica.tracker.statistics
      trackerCalls.append(statistics.listCalls)
      ticks.append(statistics.ticks)
    }
    return (updates, trackerCalls, simulatorCalls, ticks)
  }

  @Test func threeReplicasPollAProjectAsOneDoes() async throws {
    try await ReplicaTrackingFixture.with(seconds: 5) { fixture in
      // One replica waiting on 9 deployments; then three waiting on 3 each, coordinated; then three
      // polling for themselves (what every replica did before), for comparison.
      let alone = try await Self.measure(fixture, coordinated: true, [try await fixture.deploy(9, prefix: "one")])
      var split: [[(deployment: String, request: String)]] = []
      for index in 0..<3 { split.append(try await fixture.deploy(3, prefix: "three-\(index)")) }
      let shared = try await Self.measure(fixture, coordinated: true, split)
      split = []
      for index in 0..<3 { split.append(try await fixture.deploy(3, prefix: "apart-\(index)")) }
      let apart = try await Self.measure(fixture, coordinated: false, split)

      for run in [alone, shared, apart] {
        #expect(run.updates.count == 9)
        #expect(run.updates.allSatisfy { $0.kind == .terminal && $0.status == .successful }, "\(run.updates)")
        // Every vRA list call was a tick of some replica's tracker (one page each).
        #expect(run.simulatorCalls == run.trackerCalls.reduce(0, +))
      }
      // Coordinated, one replica's tracker made every call: one list call per tick for the project.
      #expect(shared.trackerCalls.filter { $0 > 0 }.count == 1, "\(shared.trackerCalls)")
      #expect(shared.simulatorCalls == shared.ticks.reduce(0, +))
      #expect(apart.trackerCalls.filter { $0 > 0 }.count == 3, "\(apart.trackerCalls)")
      print(
        "replica tracking: list calls for 9 deployments of 5 s in one project: 1 replica \(alone.simulatorCalls)"
          + " (\(alone.ticks.reduce(0, +)) ticks); 3 coordinated replicas \(shared.simulatorCalls) (per replica"
          + " \(shared.trackerCalls), ticks \(shared.ticks)); 3 replicas polling apart \(apart.simulatorCalls)"
          + " (per replica \(apart.trackerCalls), ticks \(apart.ticks))")
    }
  }

  @Test func whenTheTrackingReplicaDiesAnotherTakesOverAndEveryWaiterFinishes() async throws {
    try await ReplicaTrackingFixture.with(seconds: 10) { fixture in
      let location = try await Self.location()
      let observer = try await SQLStateStore.openPostgres(location, logger: ReplicaTrackingFixture.quietLogger)
      do {
        try await Self.killTheLeader(fixture, location: location, observer: observer)
      } catch {
        try? await observer.close()
        throw error
      }
      try await observer.close()
    }
  }

  private static func killTheLeader(
    _ fixture: ReplicaTrackingFixture, location: PostgresStateLocation, observer: SQLStateStore
  ) async throws {
    let registry = ReplicaRegistry()
    // Replicas stay up until all have finished (the killed one leaves as it dies), so no wait
    // ends thanks to a survivor's shutdown handing its scope over.
    let finishLine = FinishLine(count: 3)
    // Tasks of their own, so one can be cancelled: that replica dies. Awaited on every path.
    var tasks: [Task<[TrackedUpdate], any Error>] = []
    do {
      for index in 0..<3 {
        let waits = try await fixture.deploy(3, prefix: "r\(index)")
        tasks.append(
          Task {
            try await fixture.runReplica(
              index, on: location, settings: settings, waitingFor: waits, registry: registry, finishLine: finishLine)
          })
      }
      let scopeKey = fixture.scopeKey
      let first = try #require(
        try await poll(timeout: .seconds(30)) {
          try await observer.trackerLease(scopeKey: scopeKey).flatMap { lease in
            registry.replica(ownerId: lease.ownerId).map { (lease, $0) }
          }
        })
      let (lease, leader) = first
      // Some update went out before the kill: the leader tracks.
      _ = try #require(
        try await poll(timeout: .seconds(30)) { await leader.coordinator.statistics.published > 0 ? true : nil })

      let killedAt = ContinuousClock.now
      tasks[leader.index].cancel()
      _ = await tasks[leader.index].result  // its waits, cancelled, left the finish line
      let next = try #require(
        try await poll(timeout: .seconds(30)) {
          try await observer.trackerLease(scopeKey: scopeKey).flatMap { current in
            current.epoch > lease.epoch && current.expiresAt > Date() ? current : nil
          }
        })
      let takeover = ContinuousClock.now - killedAt
      #expect(next.ownerId != leader.store.owner.id)
      // Within the lease time plus a lease check, with room for a loaded machine.
      #expect(takeover < settings.leaseDuration + .seconds(5), "took \(takeover)")

      var finished: [TrackedUpdate] = []
      for (index, task) in tasks.enumerated() where index != leader.index {
        finished += try await task.value
      }
      #expect(finished.count == 6)
      #expect(finished.allSatisfy { $0.kind == .terminal && $0.status == .successful }, "\(finished)")
      let successor = try #require(registry.replica(ownerId: next.ownerId))
      #expect(await successor.coordinator.statistics.published > 0)
      print("replica tracking: takeover \(takeover) after the leader died (lease \(settings.leaseDuration))")
      // Graceful ends left no rows behind: the waits' rows went with them.
      #expect(try await observer.trackerWatches(scopeKey: scopeKey).isEmpty)
    } catch {
      for task in tasks {
        task.cancel()
        _ = await task.result
      }
      throw error
    }
  }
}
