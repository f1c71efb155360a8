import Foundation
import RunState
import SQLKit
import Synchronization
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import EngineServer
@testable import RunState

#if canImport(Glibc)
  import Glibc
#endif

extension TimingSensitive {
  /// The chaos test's stall, made to land inside a write transaction every time: a `serve` replica
  /// is SIGSTOPped while one of its writes of a run holds the run's row (the test holds the events
  /// table so that the write waits there, stops the replica, then lets the write through: the
  /// stopped replica's session is then `idle in transaction`, the row locked). Another replica must
  /// take the run over within the lease and a look; woken, the stopped one stops the run's work,
  /// sends vRA nothing more for it, and exits on SIGTERM; the run succeeds, deployed once per stage.
  @Suite(.serialized) struct ServeStallInTransactionTests {
    typealias Chaos = TimingSensitive.ServeChaosTests

    @Test func aReplicaStoppedInsideAWriteIsTakenOverAndStopsWhenWoken() async throws {
      let cluster = try await PostgresTestCluster.shared()
      let database = try await cluster.makeDatabase()
      let recorder = ChaosVRARecorder()
      let simulator = try await SimulatorServer.start(
        configuration: Chaos.simulatorConfiguration(), responseObserver: recorder.observer)
      let directory = try Scratch.directory()
      var configs: [(port: Int, config: String)] = []
      for index in 0..<2 {
        let port = try ChaosNetwork.freePort()
        let file = directory.appendingPathComponent("serve-\(index).yaml")
        try Data(Chaos.configurationText(port: port, stateURL: database.url, simulatorURL: simulator.baseURL).utf8)
          .write(to: file)
        configs.append((port, file.path))
      }
      let replicas = ChaosReplicas(configs: configs, environment: Chaos.replicaEnvironment)
      defer {
        replicas.killAll()
        try? FileManager.default.removeItem(at: directory)
      }
      let store = try await SQLStateStore.open(.postgres(try PostgresStateLocation.parse(database.url)))

      try await replicas.start(0)
      let stalled = try #require(replicas.process(0))
      let answer = try await ChaosNetwork.submit(
        baseURL: replicas.baseURL(0), token: Chaos.tenant.token, key: "stall-1", body: Chaos.submission,
        timeout: .seconds(30))
      let run = RunID(rawValue: try #require(answer.json["id"]?.stringValue, "\(answer.json)"))
      try await waitUntil("the run to be running", timeout: .seconds(60)) {
        try await store.run(run)?.status == .running
      }

      // Hold the events table until the replica's next event of the run waits for it (inside its
      // write, the run's row locked), stop the replica there, and let the write through.
      let terminationsBefore = Self.idleTerminations(cluster)
      try await store.write("holding the events table") { db, _ in
        try await db.raw("LOCK TABLE events IN EXCLUSIVE MODE").run()
        let deadline = ContinuousClock.now + .seconds(60)
        while try await Self.writersWaitingForEvents(db) == 0 {
          guard ContinuousClock.now < deadline else { throw ChaosError("the replica wrote no event within 60 s") }
          // Busy on the server, not idle: the server would end this session too.
          try await db.raw("SELECT pg_sleep(0.05)").run()
        }
        kill(stalled.process.processIdentifier, SIGSTOP)
      }
      let stoppedAt = ContinuousClock.now

      try await replicas.start(1)
      let other = try #require(replicas.pid(1))
      try await waitUntil("another replica to take the run over", timeout: .seconds(20)) {
        try await store.run(run)?.lease?.owner.pid == other
      }
      let takenAfter = ContinuousClock.now - stoppedAt
      print("ServeStallInTransaction: taken over \(takenAfter) after the stop (lease \(Chaos.leaseSeconds) s)")
      #expect(takenAfter < .seconds(Chaos.leaseSeconds + 2 + 3), "within the lease and a look (and a start)")
      #expect(Self.idleTerminations(cluster) > terminationsBefore, "the server ended the stopped session")

      let mark = stalled.log.utf8.count
      kill(stalled.process.processIdentifier, SIGCONT)
      try await waitUntil("the run to succeed", timeout: .seconds(120)) {
        try await store.run(run)?.status.isTerminal == true
      }
      #expect(try await store.run(run)?.status == .succeeded)
      try await waitUntil("the woken replica to let the run go", timeout: .seconds(30)) {
        stalled.log.contains("lost the lease of the run")
      }
      #expect(try await stalled.stop(signal: SIGTERM) == 0, "the woken replica exits on SIGTERM")
      let after = String(decoding: Array(stalled.log.utf8).dropFirst(mark), as: UTF8.self)
      let sent = after.split(separator: "\n").filter {
        $0.contains("vRA call") && !$0.contains("http.method=GET") && !$0.contains("/login")
      }
      #expect(sent.isEmpty, "the woken replica acted on vRA: \(sent)")
      let creating = recorder.recorded.filter(ChaosVRARecorder.isCreating)
      #expect(creating.count == Chaos.stageNames.count, "one creating request per stage")
      #expect(try await replicas.process(1)?.stop(signal: SIGTERM) == 0)
      try await store.close()
      await simulator.stop()
    }

    /// Sessions of other processes waiting for a lock to insert an event.
    static func writersWaitingForEvents(_ db: any SQLDatabase) async throws -> Int {
      // pg_stat_activity is read once per transaction unless told to read it again.
      try await db.raw("SELECT pg_stat_clear_snapshot()").run()
      return try await db.raw(
        """
        SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "events"%'
        """
      ).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// How many sessions the server has ended for idling inside a transaction (its log).
    static func idleTerminations(_ cluster: PostgresTestCluster) -> Int {
      let log = (try? String(contentsOfFile: cluster.logPath, encoding: .utf8)) ?? ""
      return log.components(separatedBy: "idle-in-transaction timeout").count - 1
    }

    private func waitUntil(
      _ what: String, timeout: Duration, _ condition: @Sendable () async throws -> Bool
    ) async throws {
      do {
        _ = try await pollForValue(timeout: timeout, every: .milliseconds(50)) { try await condition() ? true : nil }
      } catch is PollTimeout {
        throw ChaosError("waited \(timeout) for \(what)")
      }
    }
  }
}
