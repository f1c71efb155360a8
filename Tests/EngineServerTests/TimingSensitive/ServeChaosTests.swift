import Foundation
import NIOHTTP1
import RunState
import Synchronization
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import EngineServer

/// The chaos test of `serve` replicas (issue 16): three `vra-engine serve` processes on one
/// PostgreSQL database and one simulator; runs of a 4-stage plan submitted round robin through
/// the replicas, each with its own Idempotency-Key (resent to another replica with the same key when
/// its replica died or did not answer); a seeded schedule SIGKILLs a replica at random moments and
/// restarts it after a random short delay, and once SIGSTOPs a replica that owns runs for twice the
/// lease, then SIGCONTs it.
///
/// Then: every run succeeded; at no moment were more runs running than the tenant's
/// `maxConcurrentRuns` (counted over the three replicas); the simulator holds exactly one deployment per (run, stage) and got
/// exactly one creating request for each; along every run's event log the writers' lease epochs
/// never go down and each epoch has one writer, and the stalled replica wrote nothing after it lost
/// a run; after SIGCONT it sent nothing to vRA for the runs it lost (its own log of vRA calls, next to
/// what the simulator received). Takeover latencies (kill, or stall, to the first `run.lease` event
/// of another replica) are printed, and written to `CHAOS_REPORT` when set.
///
/// Replay: the seed is printed; `CHAOS_SEED=S swift test --filter ServeChaos` runs that schedule
/// again (its events exactly; the runs' timing varies). `CHAOS_RUNS` (default 36) and `CHAOS_KILLS`
/// (default 10) change the workload; `CHAOS_LOG_DIRECTORY` keeps each replica's log there. Build
/// `vra-engine` first (`swift build --build-tests` does).
extension TimingSensitive {
  @Suite(.serialized) struct ServeChaosTests {
    static let tenant = ServeFixture.teamA
    static let leaseSeconds = 3.0
    static let maxConcurrentRuns = 8
    static let stageNames = ["net", "db", "app", "edge"]

    static let replicaEnvironment = [
      "VRA_ENGINE_LEASE_DURATION": "\(leaseSeconds)", "VRA_ENGINE_LEASE_CHECK": "0.25",
      "VRA_ENGINE_POLLING_MIN": "100ms", "VRA_ENGINE_POLLING_MAX": "500ms",
      // Info: every vRA call is a line, which the stalled replica's check reads.
      "VRA_ENGINE_LOG_LEVEL": "info",
    ]

    @Test func replicasKilledAndStalledAtRandomLoseNoRunAndDuplicateNothing() async throws {
      let environment = ProcessInfo.processInfo.environment
      let seed = environment["CHAOS_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0..<1_000_000_000)
      let runs = max(1, environment["CHAOS_RUNS"].flatMap(Int.init) ?? 36)
      let kills = max(1, environment["CHAOS_KILLS"].flatMap(Int.init) ?? 10)
      let schedule = ChaosSchedule(seed: seed, runs: runs, kills: kills)
      print("ServeChaos: seed \(seed) (replay with CHAOS_SEED=\(seed)): \(schedule)")
      let started = ContinuousClock.now

      let database = try await PostgresTestCluster.shared().makeDatabase()
      let recorder = ChaosVRARecorder()
      let simulator = try await SimulatorServer.start(
        configuration: Self.simulatorConfiguration(), responseObserver: recorder.observer)
      let directory = try Scratch.directory()
      var configs: [(port: Int, config: String)] = []
      for index in 0..<3 {
        let port = try ChaosNetwork.freePort()
        let file = directory.appendingPathComponent("serve-\(index).yaml")
        try Data(Self.configurationText(port: port, stateURL: database.url, simulatorURL: simulator.baseURL).utf8)
          .write(to: file)
        configs.append((port, file.path))
      }
      let replicas = ChaosReplicas(configs: configs, environment: Self.replicaEnvironment)
      // Whatever happens below, no replica outlives the test.
      defer { replicas.killAll() }

      let store = try await SQLStateStore.open(.postgres(try PostgresStateLocation.parse(database.url)))
      let driver = ChaosDriver(
        seed: seed, schedule: schedule, replicas: replicas, store: store, recorder: recorder,
        simulatorURL: simulator.baseURL)
      var failure: (any Error)?
      do {
        try await driver.execute()
      } catch {
        failure = error
      }
      replicas.killAll()
      if let logs = environment["CHAOS_LOG_DIRECTORY"] {
        try? FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        for (name, log) in driver.logs {
          try? Data(log.utf8).write(to: URL(fileURLWithPath: logs).appendingPathComponent("\(name).log"))
        }
      }
      try? await store.close()
      await simulator.stop()
      try? FileManager.default.removeItem(at: directory)

      let elapsed = ContinuousClock.now - started
      let report = driver.report(seed: seed, elapsed: elapsed)
      print(report)
      if let path = environment["CHAOS_REPORT"] {
        try? Data((report + "\n").utf8).write(to: URL(fileURLWithPath: path))
      }
      for violation in driver.violations {
        Issue.record("seed \(seed): \(violation)")
      }
      // Every run of the stopped replica is another's by the SIGCONT, even one it was stopped in the
      // middle of writing (the server ends a session idle inside a transaction, freeing the row).
      if let blocked = driver.stallBlocked { Issue.record("seed \(seed): \(blocked)") }
      if let failure { throw failure }
    }

    static func simulatorConfiguration() -> SimulatorConfiguration {
      var configuration = SimulatorConfiguration()
      configuration.host = "127.0.0.1"
      configuration.port = 0
      configuration.timeScale = 1
      // A few seconds a stage: a machine about 2.5 s, a network about 1.5 s.
      configuration.durations.initialization = 0.4
      configuration.durations.completion = 0.3
      configuration.durations.resourceTypes["Cloud.Network"] = 0.8
      configuration.durations.resourceTypes["Cloud.Machine"] = 1.8
      // A stage deployed twice must show as two deployments, not as a 409 the engine reconciles.
      configuration.uniqueDeploymentNames = false
      configuration.orgs = [
        OrgSeed(
          name: "\(tenant.name)-org",
          users: [UserSeed(username: tenant.username, password: tenant.password, domain: "corp")],
          projects: [tenant.project])
      ]
      return configuration
    }

    /// serve.yaml of replica on `port`: the same for all three but for `listen`.
    static func configurationText(port: Int, stateURL: String, simulatorURL: String) -> String {
      """
      listen: 127.0.0.1:\(port)
      state: {url: "\(stateURL)"}
      tenants:
        - name: \(tenant.name)
          tokens: ["sha256:\(ServeFixture.hash(tenant.token))"]
          vra: {url: "\(simulatorURL)", username: \(tenant.username), password: "\(tenant.password)", domain: corp}
          projects: [\(tenant.project)]
          maxConcurrentRuns: \(maxConcurrentRuns)
          maxQueuedRuns: 100

      """
    }

    /// A chain of four stages: a network, a machine on it, a machine that names the first, a network.
    static let plan = """
      name: chaos
      defaults: {project: \(tenant.project)}
      stages:
        net: {template: templates/network.yaml, deploymentName: "net-${run.id}"}
        db:
          template: templates/machine.yaml
          deploymentName: "db-${run.id}"
          inputs: {network: "${stages.net.outputs.networkId}"}
        app:
          template: templates/app.yaml
          deploymentName: "app-${run.id}"
          inputs: {dbHost: "${stages.db.outputs.address}"}
        edge: {template: templates/network.yaml, deploymentName: "edge-${run.id}", dependsOn: [app]}
      """

    static let files = [
      "templates/network.yaml": EngineTemplates.network, "templates/machine.yaml": EngineTemplates.machine,
      "templates/app.yaml": EngineTemplates.app,
    ]

    static var submission: JSONValue {
      ["plan": .string(plan), "files": .object(files.mapValues(JSONValue.string))]
    }
  }
}

/// What the seed decides: when each run is submitted and to which replica first, when each kill
/// comes, which replica it hits and how long it stays down, and before which kill the stall comes.
struct ChaosSchedule: Sendable, CustomStringConvertible {
  struct Kill: Sendable {
    var gap: Duration
    var replica: Int
    var downFor: Duration
  }

  var submissionGaps: [Duration]
  var kills: [Kill]
  /// The SIGSTOP comes right before this kill.
  var stopBeforeKill: Int
  var stopReplicaTieBreak: Int

  init(seed: UInt64, runs: Int, kills: Int) {
    var random = ServeModelRandom(seed: seed)
    submissionGaps = (0..<runs).map { _ in .milliseconds(Int.random(in: 150...450, using: &random)) }
    self.kills = (0..<kills).map { _ in
      Kill(
        gap: .milliseconds(Int.random(in: 700...3000, using: &random)), replica: random.below(3),
        downFor: .milliseconds(Int.random(in: 200...2000, using: &random)))
    }
    stopBeforeKill = Int.random(in: min(2, kills - 1)...min(6, kills - 1), using: &random)
    stopReplicaTieBreak = random.below(3)
  }

  var description: String {
    "\(submissionGaps.count) runs, kills "
      + kills.map { "r\($0.replica)+\($0.gap.milliseconds)ms/down \($0.downFor.milliseconds)ms" }.joined(
        separator: ", ")
      + ", stall before kill \(stopBeforeKill + 1)"
  }
}

/// Submits the runs, applies the schedule, waits for every run to end and checks the invariants.
final class ChaosDriver: Sendable {
  struct KillTrial: Sendable {
    var replica: Int
    var pid: Int32
    var at: Date
    /// Unfinished runs in the store just before the kill.
    var inFlight: Int
  }

  struct Stall: Sendable {
    var replica: Int
    var pid: Int32
    var ownerIDs: Set<String>
    var runs: Set<RunID>
    var stoppedAt: Date
    var continuedAt: Date
    var process: ServeProcess
    /// The replica's log up to SIGCONT, in bytes.
    var logMark: Int
  }

  struct Figures: Sendable {
    var killLatencies: [Double] = []
    var stallLatencies: [Double] = []
    var trials: [KillTrial] = []
    var affectedByTrial: [Int] = []
    var stall: Stall?
    var stallLostRuns = 0
    var submissions = 0
    var resends = 0
    var runs = 0
    var statuses: [String: Int] = [:]
    var creatingRequests = 0
    var deployments = 0
    var staleCalls: [String] = []
    var attributed = false
    var mostRunning = 0
    /// The stalled replica's runs nobody took over while it was stopped.
    var stallBlocked: String?
  }

  let seed: UInt64
  let schedule: ChaosSchedule
  let replicas: ChaosReplicas
  let store: SQLStateStore
  let recorder: ChaosVRARecorder
  let simulatorURL: String
  private let state = Mutex((violations: [String](), figures: Figures()))
  /// Idempotency-Key → the run ids the replicas answered with.
  private let answers = Mutex([String: [String]]())

  init(
    seed: UInt64, schedule: ChaosSchedule, replicas: ChaosReplicas, store: SQLStateStore,
    recorder: ChaosVRARecorder, simulatorURL: String
  ) {
    self.seed = seed
    self.schedule = schedule
    self.replicas = replicas
    self.store = store
    self.recorder = recorder
    self.simulatorURL = simulatorURL
  }

  var violations: [String] { state.withLock { $0.violations } }
  var stallBlocked: String? { state.withLock { $0.figures.stallBlocked } }
  /// Every replica process's log, in start order, named `replica-R-pid-P`.
  var logs: [(name: String, log: String)] {
    replicas.history.map { ("replica-\($0.replica)-pid-\($0.process.process.processIdentifier)", $0.process.log) }
  }
  private func violate(_ message: String) { state.withLock { $0.violations.append(message) } }
  private func update(_ body: (inout Figures) -> Void) { state.withLock { body(&$0.figures) } }

  func execute() async throws {
    for index in 0..<replicas.count { try await replicas.start(index) }
    let keys = (0..<schedule.submissionGaps.count).map { "chaos-\(seed)-\($0)" }
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await self.submitAll(keys) }
      group.addTask { try await self.chaos() }
      try await group.waitForAll()
    }
    let ids = try consistentRunIDs(keys)
    try await waitUntilTerminal(ids)
    // Every key once more, to another replica than its first: the same run, replayed.
    for (index, key) in keys.enumerated() {
      let replica = (index + 1) % replicas.count
      let answer = try await ChaosNetwork.submit(
        baseURL: replicas.baseURL(replica), token: TimingSensitive.ServeChaosTests.tenant.token, key: key,
        body: TimingSensitive.ServeChaosTests.submission, timeout: .seconds(30))
      if answer.json["id"]?.stringValue != ids[key]?.rawValue || !answer.replayed {
        violate(
          "key \(key) resent to replica \(replica) answered \(answer.status) \(answer.json), not run \(ids[key]!)")
      }
    }
    for (replica, process) in replicas.allProcesses.sorted(by: { $0.replica < $1.replica }) {
      let status = try await process.stop(signal: SIGTERM)
      if status != 0 { violate("replica \(replica) exited \(status) after SIGTERM (0 expected)") }
    }
    try await check(Array(ids.values))
  }

  // MARK: Submissions

  private func submitAll(_ keys: [String]) async throws {
    for (index, key) in keys.enumerated() {
      try await Task.sleep(for: schedule.submissionGaps[index])
      try await submit(key: key, first: index % replicas.count)
    }
  }

  /// Sends the submission to replica `first`; when it fails (the replica died, or does not answer
  /// within 3 s) sends it again, with the same key, to the next one.
  private func submit(key: String, first: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(90)
    var attempt = 0
    while ContinuousClock.now < deadline {
      let replica = (first + attempt) % replicas.count
      attempt += 1
      update { $0.submissions += 1 }
      if attempt > 1 { update { $0.resends += 1 } }
      do {
        let answer = try await ChaosNetwork.submit(
          baseURL: replicas.baseURL(replica), token: TimingSensitive.ServeChaosTests.tenant.token, key: key,
          body: TimingSensitive.ServeChaosTests.submission, timeout: .seconds(3))
        if answer.status == 202, let id = answer.json["id"]?.stringValue {
          answers.withLock { $0[key, default: []].append(id) }
          return
        }
        if [400, 401, 403, 404, 422].contains(answer.status) {
          throw ChaosError("submission \(key) refused by replica \(replica): \(answer.status) \(answer.json)")
        }
      } catch let error as ChaosError {
        throw error
      } catch {
        // The replica died or did not answer: to the next one.
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw ChaosError("submission \(key) was not accepted by any replica within 90 s")
  }

  /// One run per key: every answer for a key named the same run, and the store has no other run.
  private func consistentRunIDs(_ keys: [String]) throws -> [String: RunID] {
    let answered = answers.withLock { $0 }
    var ids: [String: RunID] = [:]
    for key in keys {
      guard let seen = answered[key], let first = seen.first else { throw ChaosError("no run for key \(key)") }
      if Set(seen).count != 1 { violate("key \(key) answered with different runs: \(seen)") }
      ids[key] = RunID(rawValue: first)
    }
    if Set(ids.values).count != keys.count { violate("two keys answered with the same run: \(ids)") }
    return ids
  }

  // MARK: Chaos

  private func chaos() async throws {
    // Runs in flight before the first kill.
    _ = try await pollForValue(timeout: .seconds(60), every: .milliseconds(100)) { () async throws -> Bool? in
      try await self.ownedRuns().isEmpty ? nil : true
    }
    for (index, kill) in schedule.kills.enumerated() {
      if index == schedule.stopBeforeKill { try await stall() }
      try await Task.sleep(for: kill.gap)
      let inFlight = try await store.runs(limit: 10_000).filter { !$0.status.isTerminal }.count
      let at = Date()
      let pid = try await replicas.kill(kill.replica)
      update { $0.trials.append(KillTrial(replica: kill.replica, pid: pid, at: at, inFlight: inFlight)) }
      try await Task.sleep(for: kill.downFor)
      try await replicas.start(kill.replica)
    }
  }

  /// Unfinished runs by the pid holding their lease (unexpired).
  private func ownedRuns() async throws -> [Int32: [RunRecord]] {
    let now = Date()
    var owned: [Int32: [RunRecord]] = [:]
    for run in try await store.runs(limit: 10_000) where !run.status.isTerminal {
      guard let lease = run.lease, lease.expiresAt > now else { continue }
      owned[lease.owner.pid, default: []].append(run)
    }
    return owned
  }

  /// SIGSTOPs the replica owning the most runs (started ones) for twice the lease and two scheduler
  /// ticks, then SIGCONTs it. Before the SIGCONT, every run it owned must be another's (its leases
  /// expired, and another replica takes a lapsed lease within a tick; one it was stopped in the
  /// middle of writing too: the server ends its session, freeing the run's row).
  private func stall() async throws {
    let (replica, pid, runs) = try await pollForValue(timeout: .seconds(60), every: .milliseconds(100)) {
      () async throws -> (Int, Int32, [RunRecord])? in
      let candidates = try await self.ownedRuns().compactMap { pid, runs -> (Int, Int32, [RunRecord])? in
        let started = runs.filter { $0.status == .running }
        guard let replica = self.replicas.replica(ofPID: pid), self.replicas.pid(replica) == pid, !started.isEmpty
        else { return nil }
        return (replica, pid, started)
      }
      return candidates.max {
        ($0.2.count, ($0.0 + self.schedule.stopReplicaTieBreak) % 3)
          < ($1.2.count, ($1.0 + self.schedule.stopReplicaTieBreak) % 3)
      }
    }
    guard let process = replicas.process(replica) else { throw ChaosError("replica \(replica) is gone") }
    let stoppedAt = Date()
    kill(pid, SIGSTOP)
    try await Task.sleep(for: ChaosDriver.stallDuration)
    var stillHeld: [String] = []
    for run in runs {
      guard let now = try await store.run(run.id), !now.status.isTerminal, now.lease?.owner.pid == pid else { continue }
      stillHeld.append("\(run.id) (lease until \(now.lease!.expiresAt))")
    }
    if !stillHeld.isEmpty {
      update {
        $0.stallBlocked =
          "replica \(replica) (pid \(pid)) stopped for \(ChaosDriver.stallDuration) still held the leases of "
          + "\(stillHeld.count) of its \(runs.count) runs at SIGCONT: nobody took them over: "
          + stillHeld.joined(separator: ", ")
      }
    }
    let mark = process.log.utf8.count
    let continuedAt = Date()
    kill(pid, SIGCONT)
    update {
      $0.stall = Stall(
        replica: replica, pid: pid, ownerIDs: Set(runs.compactMap { $0.lease?.owner.id }), runs: Set(runs.map(\.id)),
        stoppedAt: stoppedAt, continuedAt: continuedAt, process: process, logMark: mark)
    }
  }

  /// Twice the lease and two scheduler ticks (2 s each).
  static let stallDuration = Duration.seconds(2 * TimingSensitive.ServeChaosTests.leaseSeconds + 4)

  private func waitUntilTerminal(_ ids: [String: RunID]) async throws {
    do {
      _ = try await pollForValue(timeout: .seconds(180), every: .milliseconds(250)) { () async throws -> Bool? in
        for id in ids.values {
          guard let run = try await self.store.run(id), run.status.isTerminal else { return nil }
        }
        return true
      }
    } catch is PollTimeout {
      var unfinished: [String] = []
      for id in ids.values {
        if let run = try await store.run(id), !run.status.isTerminal {
          unfinished.append(
            "\(id) \(run.status) lease \(run.lease.map { "\($0.owner) until \($0.expiresAt)" } ?? "none")")
        }
      }
      throw ChaosError("runs still unfinished after 180 s:\n  " + unfinished.joined(separator: "\n  "))
    }
  }

  // MARK: Checks

  private func check(_ ids: [RunID]) async throws {
    let figures = state.withLock { $0.figures }
    var latencies: [Double] = []
    var affectedByTrial: [Int] = []
    var stallLatencies: [Double] = []
    var stallLost: Set<RunID> = []
    var statuses: [String: Int] = [:]
    let all = try await store.runs(limit: 10_000)
    if all.count != ids.count { violate("the store has \(all.count) runs for \(ids.count) keys") }
    var expectedNames: Set<String> = []
    var retaken: [RunID: Date] = [:]
    /// Each run's time in a slot of the tenant's quota: from its start to its end.
    var slots: [(start: Date, end: Date)] = []

    for id in ids {
      guard let run = try await store.run(id) else {
        violate("run \(id) is not in the store")
        continue
      }
      statuses[run.status.rawValue, default: 0] += 1
      // 1. Every run succeeded.
      if run.status != .succeeded { violate("run \(id) ended \(run.status)") }
      for stage in TimingSensitive.ServeChaosTests.stageNames { expectedNames.insert("\(stage)-\(id)") }

      let events = try await store.events(of: id, after: nil)
      let writers = try await store.eventWriters(of: id)
      let eventsBySequence = Dictionary(events.map { ($0.sequence, $0) }, uniquingKeysWith: { a, _ in a })
      // 3. No stale write: epochs never go down, one writer per epoch.
      var highest: Int64 = -1
      var writerOfEpoch: [Int64: String] = [:]
      for entry in writers {
        guard let epoch = entry.epoch, let writer = entry.writer else { continue }
        if epoch < highest {
          violate(
            "run \(id): event \(entry.sequence) (\(eventsBySequence[entry.sequence]?.kind ?? "?")) written at epoch "
              + "\(epoch) by \(writer) after epoch \(highest)")
        }
        highest = max(highest, epoch)
        if let other = writerOfEpoch[epoch], other != writer {
          violate("run \(id): epoch \(epoch) has two writers, \(other) and \(writer) (event \(entry.sequence))")
        }
        writerOfEpoch[epoch] = writer
      }

      // Once the run was leased, only taking a lease (or asking for a cancel) is written under no
      // lease: anything else was written by a process that had lost the lease it once held.
      if let firstLease = events.first(where: { $0.kind == EventRecord.Kind.runLease }) {
        let unowned: Set<String> = [EventRecord.Kind.runLease, EventRecord.Kind.cancelRequested]
        for entry in writers where entry.writer == nil && entry.sequence > firstLease.sequence {
          guard let event = eventsBySequence[entry.sequence], !unowned.contains(event.kind) else { continue }
          violate(
            "run \(id): event \(entry.sequence) (\(event.kind): \(event.message.prefix(120))) was written under "
              + "no lease after the run was leased")
        }
      }

      let leases = events.filter { $0.kind == EventRecord.Kind.runLease }
      if let start = events.first(where: { $0.kind == EventRecord.Kind.runStatus && $0.data?["to"] == "running" }) {
        slots.append((start.at, run.finishedAt ?? .distantFuture))
      }
      func owner(_ event: EventRecord) -> String { event.data?["owner"]?.stringValue ?? "" }
      // Takeover latency of each kill: from the kill to the first lease another process took.
      for trial in figures.trials {
        let killed = "pid \(trial.pid) on "
        guard run.finishedAt.map({ $0 > trial.at }) ?? true,
          let last = leases.last(where: { $0.at <= trial.at }), owner(last).hasPrefix(killed)
        else { continue }
        guard let next = leases.first(where: { $0.at > trial.at && !owner($0).hasPrefix(killed) }) else {
          violate("run \(id): owned by killed pid \(trial.pid), never taken over")
          continue
        }
        latencies.append(next.at.timeIntervalSince(trial.at))
        let index = figures.trials.firstIndex { $0.pid == trial.pid && $0.at == trial.at } ?? 0
        while affectedByTrial.count <= index { affectedByTrial.append(0) }
        affectedByTrial[index] += 1
      }
      // The stall: the runs the stopped replica lost, and what it wrote after.
      if let stall = figures.stall {
        let stalled = "pid \(stall.pid) on "
        if let last = leases.last(where: { $0.at <= stall.stoppedAt }), owner(last).hasPrefix(stalled),
          run.finishedAt.map({ $0 > stall.stoppedAt }) ?? true,
          let next = leases.first(where: { $0.at > stall.stoppedAt && !owner($0).hasPrefix(stalled) })
        {
          stallLost.insert(id)
          // It may take the run back later, legitimately (the new owner's lease lapsed in turn).
          retaken[id] = leases.first { $0.sequence > next.sequence && owner($0).hasPrefix(stalled) }?.at
          stallLatencies.append(next.at.timeIntervalSince(stall.stoppedAt))
          let lostEpoch = next.data?["epoch"]?.intValue.map(Int64.init) ?? .max
          for entry in writers where entry.writer.map(stall.ownerIDs.contains) == true {
            if let epoch = entry.epoch, epoch < lostEpoch, entry.sequence > next.sequence {
              violate(
                "run \(id): the stalled replica wrote event \(entry.sequence) "
                  + "(\(eventsBySequence[entry.sequence]?.kind ?? "?")) at epoch \(epoch) after replica "
                  + "\(owner(next)) took the run over at epoch \(lostEpoch)")
            }
          }
        }
      }
    }

    // The tenant's quota (maxConcurrentRuns 8) holds over the three replicas together.
    var going = 0
    var most = 0
    let edges = slots.flatMap { [($0.start, 1), ($0.end, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    for (_, change) in edges {
      going += change
      most = max(most, going)
    }
    if most > TimingSensitive.ServeChaosTests.maxConcurrentRuns {
      violate("\(most) runs were running at once; the tenant's maxConcurrentRuns is 8 over all replicas")
    }
    update { $0.mostRunning = most }

    // 2. One deployment per (run, stage), one creating request each.
    let calls = recorder.recorded
    let creating = calls.filter(ChaosVRARecorder.isCreating)
    var created: [String: Int] = [:]
    for call in creating where (200..<300).contains(call.status) {
      created[call.deploymentName ?? "?", default: 0] += 1
    }
    for (name, count) in created where count != 1 || !expectedNames.contains(name) {
      violate(
        "vRA got \(count) creating request(s) for deployment \(name)\(expectedNames.contains(name) ? "" : " (no such stage)")"
      )
    }
    for name in expectedNames where created[name] == nil { violate("vRA got no creating request for \(name)") }
    if creating.count != expectedNames.count {
      violate("vRA got \(creating.count) creating requests for \(expectedNames.count) stages")
    }
    let simulator = APICaller(baseURL: simulatorURL, checksEachAnswer: false)
    let stats = try await simulator.call(.GET, "/_sim/stats")
    if stats.json["deploymentsCreated"]?.intValue != expectedNames.count
      || stats.json["duplicateDeploymentNames"]?.intValue != 0
    {
      violate(
        "the simulator created \(stats.json["deploymentsCreated"] ?? .null) deployments "
          + "(\(stats.json["duplicateDeploymentNames"] ?? .null) duplicate names) for \(expectedNames.count) stages")
    }
    let tenant = TimingSensitive.ServeChaosTests.tenant
    let token = try await simulator.login(username: tenant.username, password: tenant.password, domain: "corp").access
    let listed = try await simulator.call(.GET, "/deployment/api/deployments?$top=1000", token: token)
    var deployments: [String: Int] = [:]
    for deployment in listed.json["content"]?.arrayValue ?? [] {
      deployments[deployment["name"]?.stringValue ?? "?", default: 0] += 1
    }
    if deployments.count != expectedNames.count || Set(deployments.keys) != expectedNames
      || deployments.values.contains(where: { $0 != 1 })
    {
      let extra = deployments.filter { !expectedNames.contains($0.key) || $0.value != 1 }
      violate(
        "the simulator holds \(deployments.values.reduce(0, +)) deployments for \(expectedNames.count) stages; "
          + "unexpected or duplicated: \(extra), missing: \(expectedNames.subtracting(deployments.keys).sorted())")
    }

    // 4. After SIGCONT the stalled replica sent nothing to vRA for the runs it lost. Its own log
    // names every vRA call it made (with the run), so calls are attributed to it, not guessed from
    // timing; a call it logged after SIGCONT that went out before SIGSTOP (answered while it was
    // stopped) shows in the simulator's record before the stop.
    var staleCalls: [String] = []
    if let stall = figures.stall {
      let log = stall.process.log
      let after = String(decoding: Array(log.utf8).dropFirst(stall.logMark), as: UTF8.self)
      for line in after.split(separator: "\n") where line.contains("vRA call") {
        guard let method = Self.field("http.method", in: line), let path = Self.field("http.path", in: line),
          ChaosVRARecorder.isAction(method: method, path: path)
        else { continue }
        let run = Self.field("run.id", in: line)
        guard run.map({ stallLost.contains(RunID(rawValue: $0)) }) ?? true else { continue }
        // When the simulator received it: a creating request by its deployment's name (one per
        // stage, checked above), anything else by its path (which names the request or deployment).
        let stage = Self.field("stage", in: line)
        let received = calls.filter {
          guard $0.method == method else { return false }
          if ChaosVRARecorder.isCreating($0), let run, let stage { return $0.deploymentName == "\(stage)-\(run)" }
          return $0.path == path
        }.map(\.at)
        // A stopped process sends nothing: what vRA received before the SIGCONT went out before the
        // SIGSTOP (the signal lands a moment after `stoppedAt`), its answer read after.
        let sentBefore = !received.isEmpty && received.allSatisfy { $0 < stall.continuedAt }
        if let run, let again = retaken[RunID(rawValue: run)], !received.isEmpty, received.allSatisfy({ $0 >= again }) {
          continue  // sent after it took the run back
        }
        staleCalls.append("\(method) \(path) run \(run ?? "?")\(sentBefore ? " (in flight at SIGSTOP)" : "")")
        if !sentBefore {
          violate("after SIGCONT the stalled replica sent \(method) \(path) (run \(run ?? "unknown")): \(line)")
        }
      }
    }
    if figures.stall != nil && stallLost.isEmpty {
      violate("the stalled replica lost no run: the stall tested nothing")
    }
    for (index, trial) in figures.trials.enumerated() where trial.inFlight == 0 {
      violate("kill \(index + 1) came when no run was in flight")
    }
    let attributed = logs.contains { $0.log.contains("vRA call") && $0.log.contains("run.id") }

    update {
      $0.killLatencies = latencies
      $0.stallLatencies = stallLatencies
      $0.affectedByTrial = affectedByTrial
      $0.stallLostRuns = stallLost.count
      $0.runs = ids.count
      $0.statuses = statuses
      $0.creatingRequests = creating.count
      $0.deployments = deployments.values.reduce(0, +)
      $0.staleCalls = staleCalls
      $0.attributed = attributed
    }
  }

  /// `key=value` (or `key="value"`) of a log line.
  static func field(_ key: String, in line: Substring) -> String? {
    guard let range = line.range(of: " \(key)=") else { return nil }
    var rest = line[range.upperBound...]
    if rest.first == "\"" {
      rest = rest.dropFirst()
      return String(rest.prefix { $0 != "\"" })
    }
    return String(rest.prefix { $0 != " " })
  }

  // MARK: Report

  func report(seed: UInt64, elapsed: Duration) -> String {
    let figures = state.withLock { $0.figures }
    let violations = state.withLock { $0.violations }
    let kills = figures.killLatencies
    let stalls = figures.stallLatencies
    let lease = TimingSensitive.ServeChaosTests.leaseSeconds
    let elapsedText = String(format: "%.1f", elapsed.seconds)
    let stallText = String(format: "%.0f", ChaosDriver.stallDuration.seconds)
    let killP50 = ChaosFigures.seconds(ChaosFigures.percentile(kills, 0.5))
    let killMax = ChaosFigures.seconds(kills.max())
    let stallP50 = ChaosFigures.seconds(ChaosFigures.percentile(stalls, 0.5))
    let stallMax = ChaosFigures.seconds(stalls.max())
    let inFlight: [Int] = figures.trials.map(\.inFlight)
    let stale: String = figures.staleCalls.isEmpty ? "none" : figures.staleCalls.joined(separator: "; ")
    let attribution: String = figures.attributed ? "" : " (not attributable)"
    var lines: [String] = []
    lines.append(
      "ServeChaos: seed \(seed): \(figures.runs) runs \(figures.statuses) in \(elapsedText) s, at most "
        + "\(figures.mostRunning) running at once; "
        + "\(figures.submissions) submissions (\(figures.resends) resent to another replica)")
    lines.append(
      "ServeChaos: \(figures.trials.count) SIGKILL trials (runs in flight at each: \(inFlight); runs taken "
        + "over after each: \(figures.affectedByTrial)), 1 SIGSTOP of \(stallText) s "
        + "(\(figures.stallLostRuns) runs taken over)")
    lines.append(
      "ServeChaos: takeover after SIGKILL: p50 \(killP50), max \(killMax) over \(kills.count) runs; "
        + "after SIGSTOP: p50 \(stallP50), max \(stallMax) over \(stalls.count) runs "
        + "(lease \(lease) s, scheduler tick 2 s)")
    lines.append(
      "ServeChaos: vRA got \(figures.creatingRequests) creating requests; the simulator holds "
        + "\(figures.deployments) deployments; the stalled replica's vRA calls after SIGCONT for runs it "
        + "lost: \(stale)\(attribution)")
    if let blocked = figures.stallBlocked { lines.append("ServeChaos: not taken over: \(blocked)") }
    lines.append("ServeChaos: \(violations.count) violations")
    lines += violations.map { "  " + $0 }
    return lines.joined(separator: "\n")
  }
}
