import Foundation
import Logging
import RunState
import TestSupport
import Testing

@testable import RunState

#if canImport(Glibc)
  import Glibc
#endif

#if os(Linux)
  extension TimingSensitive {
    /// A process stopped (SIGSTOP) inside a write transaction on PostgreSQL, as a `serve` replica
    /// SIGSTOPped mid-write is: the child process (this test binary, running `StalledWriterChild`)
    /// holds a run's lease and stops itself right before the COMMIT of a write of the run, so its
    /// session sits `idle in transaction` holding the run's row lock.
    @Suite(.serialized) struct StalledWriterTests {
      /// Stopped past its lease: another store takes the run over within the lease and a look (the
      /// server ends the stopped session, freeing the row); woken, the stopped process's write is
      /// refused (the epoch), nothing of it is stored, and its store goes on working.
      @Test func aWriterStoppedPastItsLeaseIsTakenOverAndRefusedWhenItWakes() async throws {
        let lease = Duration.seconds(3)
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.makeDatabase()
        let store = try await SQLStateStore.openPostgres(try PostgresStateLocation.parse(database.url))
        let run = try await store.makeRun(stages: ["a"])

        let child = try StalledWriterProcess.start(url: database.url, run: run.id, lease: lease)
        defer { child.end() }
        let stoppedAt = try await child.waitUntilStopped(timeout: .seconds(60))
        #expect(try await Self.sessionsIdleInATransaction(cluster, database) == 1, "the premise: \(child.output)")

        // What a replica's scheduling pass does every look (2 s in `serve`; more often here),
        // bounded as a whole: a claim that waits on the stopped writer's row fails the test (the
        // child is killed on the way out, which ends the wait), it does not hang it.
        let takeover = Task {
          while true {
            if let lease = try? await store.claimLease(of: run.id, duration: .seconds(30), mode: .takeover) {
              return lease
            }
            try await Task.sleep(for: .milliseconds(100))
          }
        }
        _ = try await valueWithin(.seconds(20), of: takeover, "nobody took the run over while its writer was stopped")
        let tookOverAfter = ContinuousClock.now - stoppedAt
        print("StalledWriter: taken over \(tookOverAfter) after the stop (lease \(lease))")
        #expect(tookOverAfter < lease + .seconds(2), "within the lease and a scheduling look")

        child.resume()
        #expect(try await child.waitForExit(timeout: .seconds(30)) == 0, "\(child.output)")
        let results = child.results
        #expect(results["write"] == StateStoreError.leaseLost(run: run.id, owner: nil).code, "\(child.output)")
        #expect(results["renewal"] == StateStoreError.leaseLost(run: run.id, owner: nil).code, "\(child.output)")
        #expect(results["next"] == "ok", "its store works on: \(child.output)")
        let events = try await store.events(of: run.id)
        #expect(!events.contains { $0.message == StalledWriterChild.message }, "the stale write was stored")
        try await store.close()
      }

      /// Stopped for longer than the server lets a session idle in a transaction, but not past its
      /// lease: woken, its write (whose session the server ended) is made again and stored once.
      @Test func aWriterStoppedWithinItsLeaseWritesOnceWhenItWakes() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.makeDatabase()
        let store = try await SQLStateStore.openPostgres(try PostgresStateLocation.parse(database.url))
        let run = try await store.makeRun(stages: ["a"])

        let child = try StalledWriterProcess.start(url: database.url, run: run.id, lease: .seconds(60))
        defer { child.end() }
        _ = try await child.waitUntilStopped(timeout: .seconds(60))
        #expect(try await Self.sessionsIdleInATransaction(cluster, database) == 1, "the premise: \(child.output)")
        try await waitFor("the server to end the stopped session", timeout: .seconds(30)) {
          try await Self.sessionsIdleInATransaction(cluster, database) == 0
        }
        // Its row is free, its lease is not: nobody takes the run.
        await #expect(throws: StateStoreError.self) {
          _ = try await store.claimLease(of: run.id, duration: .seconds(30), mode: .takeover)
        }

        child.resume()
        #expect(try await child.waitForExit(timeout: .seconds(30)) == 0, "\(child.output)")
        #expect(child.results["write"] == "ok", "\(child.output)")
        #expect(child.results["renewal"] == "ok", "\(child.output)")
        let events = try await store.events(of: run.id)
        #expect(events.filter { $0.message == StalledWriterChild.message }.count == 1, "stored once")
        try await store.close()
      }

      static func sessionsIdleInATransaction(
        _ cluster: PostgresTestCluster, _ database: PostgresTestDatabase
      ) async throws -> Int {
        Int(
          try await cluster.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database.database)' "
              + "AND state = 'idle in transaction'")) ?? -1
      }
    }
  }

  /// The child side: runs only when the parent starts this binary with `VRA_STALL_CHILD_URL`. Says
  /// how each step ended on stderr, as `RESULT step=outcome` lines (`ok`, or the error's code).
  @Suite struct StalledWriterChild {
    static let urlKey = "VRA_STALL_CHILD_URL"
    static let runKey = "VRA_STALL_CHILD_RUN"
    static let leaseKey = "VRA_STALL_CHILD_LEASE_MS"
    static let message = "written by the stalled writer"

    @Test(.enabled(if: ProcessInfo.processInfo.environment[urlKey] != nil))
    func holdALeaseThenStopInsideAWrite() async throws {
      let environment = ProcessInfo.processInfo.environment
      let location = try PostgresStateLocation.parse(try #require(environment[Self.urlKey]))
      let run = RunID(rawValue: try #require(environment[Self.runKey]))
      let lease = Duration.milliseconds(try #require(environment[Self.leaseKey].flatMap(Int.init)))
      var logger = Logger(label: "stall-child") { StreamLogHandler.standardError(label: $0) }
      logger.logLevel = .notice
      let store = try await SQLStateStore.openPostgres(location, logger: logger)
      let held = try await store.acquireLease(run: run, duration: lease, mode: .ifFree)
      await store.runBeforeNextCommit { raise(SIGSTOP) }
      await Self.report("write") { try await store.appendEvent(run: run, kind: "test", message: Self.message) }
      await Self.report("renewal") { try await store.renewLease(held, duration: lease) }
      await Self.report("next") { try await store.makeRun(stages: ["b"]) }
      try await store.close()
    }

    private static func report<T>(_ step: String, _ body: () async throws -> T) async {
      let outcome: String
      do {
        _ = try await body()
        outcome = "ok"
      } catch let error as StateStoreError {
        outcome = error.code
        say("\(step): \(error)")
      } catch {
        outcome = "\(type(of: error))"
        say("\(step): \(error)")
      }
      say("RESULT \(step)=\(outcome)")
    }
  }

  /// The child process, seen from the parent. Unchecked: `Process` is not marked Sendable, and only
  /// its thread-safe reads (pid, running, status) are used after the start.
  final class StalledWriterProcess: @unchecked Sendable {
    let process: Process
    private let logURL: URL

    private init(process: Process, logURL: URL) {
      self.process = process
      self.logURL = logURL
    }

    static func start(url: String, run: RunID, lease: Duration) throws -> StalledWriterProcess {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
      process.arguments = ["--testing-library", "swift-testing", "--filter", "StalledWriterChild"]
      var environment = ProcessInfo.processInfo.environment
      environment[StalledWriterChild.urlKey] = url
      environment[StalledWriterChild.runKey] = run.rawValue
      environment[StalledWriterChild.leaseKey] = "\(Int(lease / .milliseconds(1)))"
      process.environment = environment
      // A file, not a pipe: nobody reads while the child is stopped.
      let log = FileManager.default.temporaryDirectory.appendingPathComponent("stall-child-\(UUID().uuidString).log")
      FileManager.default.createFile(atPath: log.path, contents: nil)
      let handle = try FileHandle(forWritingTo: log)
      defer { try? handle.close() }
      process.standardOutput = handle
      process.standardError = handle
      try process.run()
      return StalledWriterProcess(process: process, logURL: log)
    }

    var output: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// The `RESULT step=outcome` lines the child wrote.
    var results: [String: String] {
      var results: [String: String] = [:]
      for line in output.split(separator: "\n") where line.hasPrefix("RESULT ") {
        let pair = line.dropFirst("RESULT ".count).split(separator: "=", maxSplits: 1)
        if pair.count == 2 { results[String(pair[0])] = String(pair[1]) }
      }
      return results
    }

    /// The state letter of /proc/PID/stat ("T" when stopped).
    private var state: String? {
      guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
        let end = stat.range(of: ") ", options: .backwards)
      else { return nil }
      return String(stat[end.upperBound...].prefix(1))
    }

    /// When the child was seen stopped.
    func waitUntilStopped(timeout: Duration) async throws -> ContinuousClock.Instant {
      try await waitFor("the child to stop itself inside its write (\(output))", timeout: timeout) {
        guard self.process.isRunning else { throw LostSessionTestError("the child ended first: \(self.output)") }
        return self.state == "T"
      }
      return ContinuousClock.now
    }

    func resume() { kill(process.processIdentifier, SIGCONT) }

    func waitForExit(timeout: Duration) async throws -> Int32 {
      try await waitFor("the woken child to end (\(output))", timeout: timeout) { !self.process.isRunning }
      return process.terminationStatus
    }

    /// Kills the child if it still runs, and removes its log.
    func end() {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      try? FileManager.default.removeItem(at: logURL)
    }
  }

  /// A line on stderr, unbuffered (the parent reads it from a file while the child runs).
  private func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }
#endif
