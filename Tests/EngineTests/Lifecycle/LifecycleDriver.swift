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

/// Figures of a whole test run, shared by the sequences running at once.
final class LifecycleStats: Sendable {
  struct Counts: Sendable {
    var sequences = 0
    var events = 0
    var kills = 0
    var takeovers = 0
    var ctrlCs = 0
    var remoteCancels = 0
    var invariantChecks = 0
    var violations = 0
    /// Sequences whose plan has check stages, and what their checks did (from their event logs).
    var checkSequences = 0
    var httpChecks = 0
    var checkStarts = 0
    var checksPassed = 0
    var checksFailed = 0
    /// Check stages a rollback (`rolling-back → rolled-back`) or destroy (`→ destroyed`) ended.
    var checkRollbacks = 0
    var checkDestroys = 0
  }
  private let counts = Mutex(Counts())
  private let failed = Mutex<[(LifecycleSequence, [String])]>([])
  func update(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }
  var value: Counts { counts.withLock { $0 } }
  /// Records a sequence that broke an invariant, with its violations.
  func fail(_ sequence: LifecycleSequence, _ violations: [String]) {
    failed.withLock { $0.append((sequence, violations)) }
  }
  var failures: [(LifecycleSequence, [String])] { failed.withLock { $0 } }
}

/// One process's view of the engine: its own store instance (so its own lease owner), client and
/// tracker. Two of these on one state file behave like two `vra-engine` processes.
struct EngineProcess: Sendable {
  let store: SQLStateStore
  let client: VRAClient
  let trackerHandle: TrackerHandle
  var tracker: DeploymentTracker { trackerHandle.tracker }

  static let quiet: Logger = {
    var logger = Logger(label: "vra-engine.lifecycle-test")
    logger.logLevel = .critical
    return logger
  }()

  static func open(database: String, simulator: String) async throws -> EngineProcess {
    let store = try await SQLStateStore.openSQLite(at: database)
    let client = try VRAClient(
      configuration: VRAClientConfiguration(
        endpoint: URL(string: simulator)!,
        authentication: .password(username: "admin", password: Secret("VMware1!"), domain: "vsphere.local"),
        logger: quiet))
    let trackerHandle = await TrackerHandle.start(
      client: client,
      configuration: TrackerConfiguration(minInterval: .milliseconds(30), maxInterval: .milliseconds(150)))
    return EngineProcess(store: store, client: client, trackerHandle: trackerHandle)
  }

  func close() async {
    await trackerHandle.stop()
    try? await store.close()
  }
}

/// Counts what a running orchestrator reported, so an interruption can wait for "after N stage
/// changes" without sleeping.
final class RunProbe: Sendable {
  private let state = Mutex((started: false, stageChanges: 0, done: false))
  func observe(_ event: RunEvent) {
    state.withLock { state in
      switch event {
      case .runStarted: state.started = true
      case .stage: if state.started { state.stageChanges += 1 }
      default: break
      }
    }
  }
  func finish() { state.withLock { $0.done = true } }
  var done: Bool { state.withLock { $0.done } }
  func reached(_ changes: Int) -> Bool { state.withLock { $0.done || ($0.started && $0.stageChanges >= changes) } }
}

/// Lets one sequence at a time have two store instances of one state file active at once (an
/// owner and a canceller, or an owner and a process taking it over).
///
/// Why: SQLiteNIO runs every connection's calls on `NIOThreadPool.singleton` (one thread per
/// core: 2 here), and a writer waiting on SQLite's lock sleeps in its busy handler on one of
/// those threads. Two such waiters (of two sequences) block both threads, so neither lock holder
/// can run its next statement: each waits the whole busy timeout, then fails "database is
/// locked". Real processes each have their own pool; this keeps the in-process stand-in faithful.
actor TwoWriterWindow {
  static let shared = TwoWriterWindow()
  private var busy = false
  private var waiting: [CheckedContinuation<Void, Never>] = []

  func enter() async {
    if !busy {
      busy = true
      return
    }
    await withCheckedContinuation { waiting.append($0) }
  }

  func leave() {
    if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
  }
}

/// Applies one sequence's events to the engine and the simulator, checking every invariant after
/// every step. Returns the violations, each prefixed with its step.
struct LifecycleDriver {
  let sequence: LifecycleSequence
  let simulator: String
  let directory: URL
  let stats: LifecycleStats
  /// Short leases, frequent checks: a cancel request or a takeover is noticed within ~50 ms.
  let lease = LeaseSettings(duration: .seconds(2), checkInterval: .milliseconds(50))
  /// The stalling owner of the takeover stand-in: it renews only every 800 ms a lease of 200 ms.
  let stallingLease = LeaseSettings(duration: .milliseconds(200), checkInterval: .milliseconds(800))
  let stepTimeout = Duration.seconds(90)

  private var broken = Set<Int>()
  /// Stages broken at some point of the sequence.
  private var everBroken = Set<String>()
  private var violations: [String] = []
  private var step = 0
  private var runId = RunID(rawValue: "00000000")
  /// The store's view after the first step that broke an invariant, for the failure message.
  private var trace: String?
  /// The last event before the current step (nil: none yet), for the invariants of one step.
  private var stepSince: Int64?

  init(sequence: LifecycleSequence, simulator: String, directory: URL, stats: LifecycleStats) {
    self.sequence = sequence
    self.simulator = simulator
    self.directory = directory
    self.stats = stats
  }

  var plan: PlanShape { sequence.plan }
  var database: String { directory.appendingPathComponent("state.db").path }
  var environment: [String: String] { plan.environment(broken: broken, simulator: simulator) }
  var brokenNames: Set<String> { Set(broken.map(PlanShape.name)) }

  mutating func violation(_ message: String) {
    violations.append("step \(step) (\(step == 0 ? "setup" : sequence.events[step - 1].description)): \(message)")
  }

  /// Runs the whole sequence; always destroys what is left at the end.
  mutating func execute() async -> [String] {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try plan.yaml.write(to: directory.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
      try PlanShape.template.write(
        to: directory.appendingPathComponent("stage.yaml"), atomically: true, encoding: .utf8)
      let observer = try await EngineProcess.open(database: database, simulator: simulator)
      defer { Task { await observer.close() } }
      runId = try await orchestrator(observer, lease: lease).createRun(planDigest: "lifecycle-model")
      var last: LifecycleSnapshot?
      for (index, event) in sequence.events.enumerated() {
        step = index + 1
        let before = try await observer.store.stages(of: runId)
        stepSince = try await observer.store.events(of: runId).last?.sequence
        let brokenChecks = Set(plan.checks.map(\.stage)).intersection(broken)
        try await apply(event, observer: observer)
        stats.update { $0.events += 1 }
        let snapshot = try await snapshot(observer)
        stats.update { $0.invariantChecks += 1 }
        for problem in LifecycleInvariants.check(snapshot, plan: plan) { violation(problem) }
        if case .run = event {
          for problem in LifecycleInvariants.runStep(
            snapshot, plan: plan, before: before, since: stepSince, brokenChecks: brokenChecks)
          {
            violation(problem)
          }
        }
        if !violations.isEmpty && trace == nil { trace = Self.trace(snapshot) }
        last = snapshot
      }
      if let last { countChecks(last) }
    } catch {
      violation("the driver stopped: \(error)")
    }
    stats.update {
      $0.sequences += 1
      $0.violations += violations.count
    }
    return violations + (trace.map { ["store after the first violating step:\n" + $0] } ?? [])
  }

  /// What the sequence's checks did, from its last snapshot's event log.
  func countChecks(_ snapshot: LifecycleSnapshot) {
    guard !plan.checks.isEmpty else { return }
    let names = Set(plan.checks.map { PlanShape.name($0.stage) })
    let starts = snapshot.events.count { event in
      event.kind == EventRecord.Kind.stageStatus && event.stage.map(names.contains) == true
        && event.data?["to"]?.stringValue == StageStatus.running.rawValue
    }
    let verdicts = snapshot.events.filter { $0.kind == EventRecord.Kind.stageCheck }
    func ended(_ status: StageStatus) -> Int {
      snapshot.events.count { event in
        event.kind == EventRecord.Kind.stageStatus && event.stage.map(names.contains) == true
          && event.data?["to"]?.stringValue == status.rawValue
      }
    }
    stats.update {
      $0.checkSequences += 1
      $0.httpChecks += plan.checks.count { $0.kind == .http }
      $0.checkStarts += starts
      $0.checksPassed += verdicts.count { $0.data?["passed"]?.boolValue == true }
      $0.checksFailed += verdicts.count { $0.data?["passed"]?.boolValue == false }
      $0.checkRollbacks += ended(.rolledBack)
      $0.checkDestroys += ended(.destroyed)
    }
  }

  /// The stages (status, attempt, error) and the run's status log, for a failure message.
  static func trace(_ snapshot: LifecycleSnapshot) -> String {
    let stages = snapshot.stages.map {
      "    \($0.name): \($0.status) attempt \($0.attempt) deployment \($0.deploymentId ?? "-") request "
        + "\($0.requestId ?? "-")" + ($0.error.map { " error: \($0.message)" } ?? "")
    }
    let events = snapshot.events.suffix(60).map { "    #\($0.sequence) \($0.kind) \($0.stage ?? "-"): \($0.message)" }
    let deployments = snapshot.deployments.map { "    vRA: \($0.name) \($0.id ?? "?") \($0.status?.rawValue ?? "?")" }
    let actions = snapshot.actionTargets.sorted { $0.key < $1.key }.map { id, view in
      "    vRA: \(id) \(ActionShape.actionId) requests "
        + "\(view.actionRequests.map { "\($0.id ?? "?") \($0.status?.rawValue ?? "?")" }), tags \(view.tags)"
    }
    let deletes = snapshot.deleteRequests.map {
      "    delete (\($0.purpose.rawValue)) for \($0.stage): \($0.deploymentId ?? "?") \($0.status.rawValue)"
    }
    return (["    run \(snapshot.run.id): \(snapshot.run.status)"] + stages + deployments + actions + deletes + events)
      .joined(separator: "\n")
  }

  func loadPlan() throws -> Plan {
    try PlanLoader.loadValidated(contentsOf: directory.appendingPathComponent("plan.yaml"), environment: environment)
      .plan
  }

  func orchestrator(
    _ process: EngineProcess, lease: LeaseSettings, events: @escaping @Sendable (RunEvent) -> Void = { _ in }
  ) throws -> Orchestrator {
    Orchestrator(
      plan: try loadPlan(), client: process.client, store: process.store, tracking: process.tracker,
      environment: environment, logger: EngineProcess.quiet, lease: lease, target: RunTarget(endpoint: simulator),
      events: events)
  }

  func snapshot(_ observer: EngineProcess) async throws -> LifecycleSnapshot {
    let run = try #require(try await observer.store.run(runId))
    let deployments = try await observer.client.deployments(DeploymentFilter(search: plan.tag + "-")).collect()
      .filter { $0.name.hasPrefix(plan.tag + "-") }
    var targets: [String: ActionTargetView] = [:]
    if let action = plan.action {
      let name = plan.deploymentName(action.target, runId: runId.rawValue)
      for deployment in deployments where deployment.name == name {
        guard let id = deployment.id else { continue }
        targets[id] = await actionTarget(id, client: observer.client)
      }
    }
    return LifecycleSnapshot(
      run: run, stages: try await observer.store.stages(of: runId), events: try await observer.store.events(of: runId),
      deployments: deployments, deleteRequests: try await observer.store.deleteRequests(of: runId),
      actionTargets: targets)
  }

  /// The action's requests on a deployment and its resources' tags; nil when vRA cannot say (the
  /// deployment went away between the list and these calls: a delete a killed process left running).
  func actionTarget(_ id: String, client: VRAClient) async -> ActionTargetView? {
    do {
      let requests = try await client.deploymentRequests(deploymentId: id).collect().filter {
        $0.actionId == ActionShape.actionId
      }
      let resources = try await client.deploymentResources(deploymentId: id).collect()
      return ActionTargetView(
        actionRequests: requests,
        tags: Dictionary(
          resources.map { ($0.name, $0.properties?["tags"]?.arrayValue ?? []) }, uniquingKeysWith: { first, _ in first }
        ))
    } catch {
      return nil
    }
  }

  // MARK: Events

  mutating func apply(_ event: LifecycleEvent, observer: EngineProcess) async throws {
    switch event {
    case .breakStage(let index):
      broken.insert(index)
      everBroken.insert(PlanShape.name(index))
    case .fix: broken = []
    case .run(let interruption): try await run(interruption, observer: observer)
    case .cancelUnowned: try await cancelUnowned(observer: observer)
    case .destroy: try await destroy(observer: observer)
    }
  }

  /// What the model expects of a run started now: whether it is refused, and how it ends untouched.
  func expectation(
    _ observer: EngineProcess
  ) async throws -> (
    resumable: Bool, natural: Set<RunStatus>, before: RunStatus
  ) {
    let run = try #require(try await observer.store.run(runId))
    let stages = Dictionary(
      uniqueKeysWithValues: try await observer.store.stages(of: runId).map { ($0.name, $0.status) })
    // A request still in flight was submitted with the inputs of its time: re-attached, it ends
    // as the cause was then, whatever it is now. A check left running is probed again, as the
    // cause is now.
    let inFlight = Set(
      stages.filter { name, status in
        LifecycleExpectation.inFlight(status) && !plan.isCheck(LifecycleInvariants.index(of: name) ?? -1)
      }.keys)
    let natural: Set<RunStatus> = [
      LifecycleExpectation.naturalEnd(stages: stages, broken: brokenNames.subtracting(inFlight)),
      LifecycleExpectation.naturalEnd(stages: stages, broken: brokenNames.union(inFlight.intersection(everBroken))),
    ]
    return (LifecycleExpectation.resumable(run.status), natural, run.status)
  }

  /// Judges what `Orchestrator.run` ended with.
  mutating func judge(
    _ result: Result<RunRecord, any Error>, resumable: Bool, allowed: Set<RunStatus>, before: RunStatus
  ) {
    switch result {
    case .success(let record):
      if !resumable {
        violation("run of a \(before) run was not refused; it ended \(record.status)")
      } else if !allowed.contains(record.status) {
        violation("run ended \(record.status); the model expects one of \(allowed.map(\.rawValue).sorted())")
      }
    case .failure(let error):
      if LifecycleInvariants.isIllegalTransition(error) {
        violation("a transition was refused: \(error)")
      } else if resumable {
        violation("run of a \(before) run threw \(error)")
      } else if !(error is RunRefusal) {
        violation("run of a \(before) run threw \(error), not RunRefusal")
      }
    }
  }

  mutating func run(_ interruption: Interruption, observer: EngineProcess) async throws {
    let (resumable, natural, before) = try await expectation(observer)
    if case .sigkill(let after) = interruption {
      try await killedProcess(after: after, resumable: resumable, natural: natural, before: before, observer: observer)
      return
    }
    let process = try await EngineProcess.open(database: database, simulator: simulator)
    defer { Task { await process.close() } }
    let probe = RunProbe()
    var stalls = false
    if case .takeover = interruption { stalls = true }
    let orchestrator = try orchestrator(process, lease: stalls ? stallingLease : lease) { probe.observe($0) }
    let runId = self.runId
    let task = Task {
      defer { probe.finish() }
      return try await orchestrator.run(runId)
    }
    var allowed = natural
    switch interruption {
    case .none, .sigkill:
      break
    case .ctrlC(let after):
      _ = await pollUntil(timeout: stepTimeout) { probe.reached(after) }
      if !probe.done {
        task.cancel()
        allowed.insert(.cancelled)
        stats.update { $0.ctrlCs += 1 }
      }
    case .cancelFromOther(let after):
      _ = await pollUntil(timeout: stepTimeout) { probe.reached(after) }
      if !probe.done {
        allowed.insert(.cancelled)
        stats.update { $0.remoteCancels += 1 }
        await TwoWriterWindow.shared.enter()
        do {
          try await cancelFromOther(allowed: allowed)
        } catch {
          await TwoWriterWindow.shared.leave()
          throw error
        }
        await TwoWriterWindow.shared.leave()
      }
    case .takeover(let after):
      _ = await pollUntil(timeout: stepTimeout) { probe.reached(after) }
      guard !probe.done else { break }
      await TwoWriterWindow.shared.enter()
      let handled: Bool
      do {
        handled = try await takeOver(task, probe: probe)
      } catch {
        await TwoWriterWindow.shared.leave()
        throw error
      }
      await TwoWriterWindow.shared.leave()
      if handled { return }
    }
    guard await pollUntil(timeout: stepTimeout, { probe.done }) else {
      task.cancel()
      violation("the run did not end within \(stepTimeout)")
      _ = await task.result
      return
    }
    judge(await task.result, resumable: resumable, allowed: allowed, before: before)
    if case .success(let record) = await task.result, record.status == .succeeded {
      let snapshot = try await snapshot(observer)
      for problem in LifecycleInvariants.everyStageOnce(snapshot, plan: plan) { violation(problem) }
      for problem in LifecycleInvariants.actionOutputsAreTargets(snapshot, plan: plan) { violation(problem) }
      for problem in LifecycleInvariants.checksPassed(snapshot, plan: plan) { violation(problem) }
    }
    if case .success(let record) = await task.result, record.status == .failed {
      let snapshot = try await snapshot(observer)
      for problem in LifecycleInvariants.failedRunEnd(snapshot, plan: plan, since: stepSince) { violation(problem) }
    }
  }

  /// `vra-engine cancel` from a second process while the owner runs: it leaves a request, the
  /// owner carries it out, and both agree on how the run ended.
  mutating func cancelFromOther(allowed: Set<RunStatus>) async throws {
    let other = try await EngineProcess.open(database: database, simulator: simulator)
    defer { Task { await other.close() } }
    let canceller = RunCanceller(client: other.client, store: other.store, tracking: other.tracker, lease: lease)
    do {
      switch try await canceller.cancel(runId, wait: stepTimeout) {
      case .cancelled(let report):
        if !allowed.contains(report.status) {
          violation("cancel from another process reported \(report.status), expected one of \(allowed.map(\.rawValue))")
        }
        if report.carriedOutBy == nil {
          violation("cancel from another process ran the cancel itself although the owner was alive")
        }
      case .alreadyFinished(let status):
        if !allowed.contains(status) { violation("cancel found the run already \(status)") }
      }
    } catch {
      violation("cancel from another process threw \(error)")
    }
  }

  /// The crash stand-in: the owner stalls (its lease lapses between its slow renewals), a second
  /// store instance takes the lease over. The owner must stop with `leaseLost` having written
  /// nothing after the takeover. Returns true when it handled the run's end.
  mutating func takeOver(_ task: Task<RunRecord, any Error>, probe: RunProbe) async throws -> Bool {
    let other = try await EngineProcess.open(database: database, simulator: simulator)
    defer { Task { await other.close() } }
    var taken: RunLease?
    let runId = self.runId
    let store = other.store
    _ = try await pollUntil(timeout: stepTimeout) {
      if probe.done { return true }
      do {
        taken = try await store.acquireLease(run: runId, duration: lease.duration, mode: .takeover)
        return true
      } catch StateStoreError.runOwned {
        return false
      }
    }
    guard let taken else { return false }  // the run ended first: judged as uninterrupted
    stats.update { $0.takeovers += 1 }
    let stagesAtTakeover = try await other.store.stages(of: runId)
    let lastEvent = try await other.store.events(of: runId).last?.sequence
    guard await pollUntil(timeout: stepTimeout, { probe.done }) else {
      violation("the owner whose lease was taken over did not stop within \(stepTimeout)")
      task.cancel()
      _ = await task.result
      return true
    }
    switch await task.result {
    case .success(let record):
      if !record.status.isTerminal {
        violation("the owner whose lease was taken over returned \(record.status) instead of throwing leaseLost")
      }
    case .failure(let error):
      if LifecycleInvariants.isIllegalTransition(error) {
        violation("a transition was refused: \(error)")
      } else if case StateStoreError.leaseLost = error {
      } else {
        violation("the owner whose lease was taken over stopped with \(error), not leaseLost")
      }
    }
    let written = try await other.store.events(of: runId, after: lastEvent)
    if !written.isEmpty {
      violation("the owner wrote after losing its lease: \(written.map(\.message))")
    }
    if try await other.store.stages(of: runId) != stagesAtTakeover {
      violation("stages changed after the takeover, with nobody entitled to write")
    }
    // The new owner goes away too (it only took the lease): the run is left for a resume.
    try await other.store.releaseLease(taken)
    return true
  }

  /// A real `vra-engine apply --resume` process, SIGKILLed after `after` stage changes (or not, if
  /// it ends first); the run is then left with a dead owner.
  mutating func killedProcess(
    after: Int, resumable: Bool, natural: Set<RunStatus>, before: RunStatus, observer: EngineProcess
  ) async throws {
    let baseline = try await stageChanges(observer)
    let log = directory.appendingPathComponent("apply-\(step).log")
    let process = try spawnApply(log: log)
    let pid = process.processIdentifier
    let runId = self.runId
    let store = observer.store
    _ = try await pollUntil(timeout: stepTimeout) {
      guard process.isRunning else { return true }
      guard let run = try await store.run(runId), run.lease?.owner.pid == pid else { return false }
      return try await stageChanges(observer) - baseline >= after
    }
    var killed = false
    if process.isRunning {
      kill(pid, SIGKILL)
      killed = true
      stats.update { $0.kills += 1 }
    }
    let status = try await CrashResumeTests.waitForExit(process)
    guard !killed else { return }
    let run = try #require(try await observer.store.run(runId))
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    if LifecycleInvariants.mentionsIllegalTransition(output) {
      violation("the apply process reported a refused transition: \(output.suffix(600))")
    }
    if resumable && !natural.contains(run.status) {
      violation(
        "the apply process exited \(status) leaving the run \(run.status), expected \(natural): \(output.suffix(600))")
    }
    if !resumable && run.status != before {
      violation("apply --resume of a \(before) run changed it to \(run.status)")
    }
    if resumable && run.status == .succeeded {
      for problem in LifecycleInvariants.checksPassed(try await snapshot(observer), plan: plan) { violation(problem) }
    }
    if resumable && run.status == .failed {
      let snapshot = try await snapshot(observer)
      for problem in LifecycleInvariants.failedRunEnd(snapshot, plan: plan, since: stepSince) { violation(problem) }
    }
  }

  func stageChanges(_ observer: EngineProcess) async throws -> Int {
    try await observer.store.events(of: runId).count { $0.kind == EventRecord.Kind.stageStatus }
  }

  func spawnApply(log: URL) throws -> Process {
    let process = Process()
    process.executableURL = try VRAEngineBinary.url
    process.arguments = ["apply", "plan.yaml", "--state", database, "--resume", runId.rawValue]
    process.currentDirectoryURL = directory
    var environment = self.environment
    environment["VRA_URL"] = simulator
    environment["VRA_USERNAME"] = "admin"
    environment["VRA_PASSWORD"] = "VMware1!"
    environment["VRA_DOMAIN"] = "vsphere.local"
    environment["VRA_ENGINE_LEASE_DURATION"] = "0.4"
    environment["VRA_ENGINE_LEASE_CHECK"] = "0.05"
    environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    FileManager.default.createFile(atPath: log.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: log)
    try process.run()
    return process
  }

  /// `vra-engine cancel` on a run nobody owns: it takes the lease and cancels here.
  mutating func cancelUnowned(observer: EngineProcess) async throws {
    let before = try #require(try await observer.store.run(runId)).status
    let process = try await EngineProcess.open(database: database, simulator: simulator)
    defer { Task { await process.close() } }
    let canceller = RunCanceller(client: process.client, store: process.store, tracking: process.tracker, lease: lease)
    do {
      switch try await canceller.cancel(runId, wait: stepTimeout) {
      case .alreadyFinished(let status):
        if !before.isTerminal || status != before {
          violation("cancel of a \(before) run answered alreadyFinished(\(status))")
        }
      case .cancelled(let report):
        if before.isTerminal { violation("cancel of a \(before) run cancelled it (\(report.status))") }
        // Cancelled, or failed; succeeded only when every stage turned out to have succeeded in vRA.
        let allSucceeded = try await observer.store.stages(of: runId).allSatisfy { $0.status == .succeeded }
        if report.status != .cancelled && report.status != .failed && !(report.status == .succeeded && allSucceeded) {
          violation("cancel of a \(before) run left it \(report.status)")
        }
        if report.carriedOutBy != nil {
          violation("nobody owned the run, yet \(report.carriedOutBy!) carried the cancel out")
        }
      }
    } catch {
      violation(
        LifecycleInvariants.isIllegalTransition(error)
          ? "a transition was refused: \(error)" : "cancel of a \(before) run threw \(error)")
    }
  }

  /// `vra-engine destroy`: the run ends destroyed and vRA holds nothing of it.
  mutating func destroy(observer: EngineProcess) async throws {
    let before = try #require(try await observer.store.run(runId)).status
    let process = try await EngineProcess.open(database: database, simulator: simulator)
    defer { Task { await process.close() } }
    let destroyer = RunDestroyer(client: process.client, store: process.store, tracking: process.tracker, lease: lease)
    let order = try StageGraph(plan: try loadPlan()).topologicalOrder
    do {
      let (status, failed) = try await destroyer.destroy(runId, order: order)
      if status != .destroyed || !failed.isEmpty {
        violation("destroy of a \(before) run ended \(status), failed: \(failed)")
      }
    } catch {
      violation(
        LifecycleInvariants.isIllegalTransition(error)
          ? "a transition was refused: \(error)" : "destroy of a \(before) run threw \(error)")
    }
    let snapshot = try await snapshot(observer)
    for problem in LifecycleInvariants.nothingLeft(snapshot) { violation(problem) }
    for problem in LifecycleInvariants.checksDestroyed(snapshot, plan: plan) { violation(problem) }
  }
}
