import Engine
import EngineRuntime
import Foundation
import Logging
import RunState
import Secrets
import ServiceLifecycle

/// Starts, queues, resumes, cancels, destroys and hands back the runs submitted to this service.
///
/// One decision at a time (an actor): a queued run is either started or cancelled, never both.
/// The store is the queue: a submitted run is `pending` until a slot of its tenant's
/// `maxConcurrentRuns` frees; runs found unfinished at start (the service stopped, or crashed) are
/// resumed exactly as `apply --resume` would. On graceful shutdown every run is handed back
/// (`RunHandBack`): its requests go on in vRA, its lease is released, the next start resumes it.
actor RunExecutor: Service {
  private struct Active {
    var tenant: String
    var handBack: RunHandBack
    /// Cancels the run's work as Ctrl-C does (set once its task runs).
    var cancel: (@Sendable () -> Void)?
    /// A cancel came before the task ran: it is cancelled as soon as it does (the store's cancel
    /// request alone would be cleared when the run takes its lease).
    var cancelledEarly = false
  }

  private enum Job: Sendable {
    case start(RunRecord, TenantConfiguration, LeaseAcquisition)
    case destroy(RunRecord, TenantConfiguration, LeaseAcquisition)
  }

  let store: SQLStateStore
  let tenants: TenantDirectory
  let sessions: TenantSessions
  let workDirectory: URL
  let tick: Duration
  let logger: Logger
  private var active: [RunID: Active] = [:]
  /// Each tenant's queued runs, oldest first, as of the last scheduling pass.
  private var queues: [String: [RunID]] = [:]
  /// Runs submitted since the last pass that will start at the next one (their tenant had room).
  private var starting: [String: Set<RunID>] = [:]
  private var stopping = false
  /// Held by a scheduling pass and by a cancel across their store reads and writes. The actor
  /// alone does not make them one decision: a pass suspended on its read of the store would
  /// otherwise start a run from a snapshot taken before a cancel of that queued run was written.
  private var deciding = false
  private var waitingToDecide: [CheckedContinuation<Void, Never>] = []
  private let wakeups: AsyncStream<Void>
  private let wake: AsyncStream<Void>.Continuation

  init(
    store: SQLStateStore, tenants: TenantDirectory, sessions: TenantSessions, workDirectory: URL,
    tick: Duration = .seconds(2), logger: Logger
  ) {
    self.store = store
    self.tenants = tenants
    self.sessions = sessions
    self.workDirectory = workDirectory
    self.tick = tick
    self.logger = logger
    (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
  }

  // MARK: The service

  func run() async throws {
    await withGracefulShutdownHandler {
      await schedulingLoop()
    } onGracefulShutdown: {
      Task { await self.handBackAll() }
    }
  }

  private func schedulingLoop() async {
    wake.yield()
    await withDiscardingTaskGroup { group in
      // A periodic look too: runs whose foreign lease expired, tenants whose quota was raised.
      group.addTask { [wake, tick] in
        while true {
          try? await Task.sleep(for: tick)
          if case .terminated = wake.yield() { return }
        }
      }
      for await _ in wakeups {
        guard !stopping else { break }
        for job in await nextJobs() {
          group.addTask { await self.perform(job) }
        }
      }
    }
  }

  /// Hands every active run back and stops scheduling; `run()` returns once they all stopped.
  private func handBackAll() {
    stopping = true
    logger.notice("shutting down: handing back \(active.count) run(s) for the next start to resume")
    for run in active.values { run.handBack.fire() }
    wake.finish()
  }

  /// Looks at the store again now (a submission, a cancel, a destroy, a finished run).
  nonisolated func poke() { wake.yield() }

  // MARK: Decisions

  /// Runs `body` as the only decision in progress (see `deciding`).
  private func decidingAlone<T>(_ body: () async throws -> T) async rethrows -> T {
    while deciding { await withCheckedContinuation { waitingToDecide.append($0) } }
    deciding = true
    defer {
      deciding = false
      if !waitingToDecide.isEmpty { waitingToDecide.removeFirst().resume() }
    }
    return try await body()
  }

  /// The jobs to start now; also refreshes the tenants' queues.
  private func nextJobs() async -> [Job] {
    await decidingAlone { await decideJobs() }
  }

  /// Reads the unfinished runs and claims the ones to work on: runs to resume (their lease free
  /// or lapsed) by taking their lease, queued runs through `claimQueuedRuns` (the tenant's quota
  /// counted over every replica). Taking the lease here, not when the run starts, means two
  /// replicas looking at the same store never both start a run.
  private func decideJobs() async -> [Job] {
    let unfinished: [RunRecord]
    do {
      unfinished = try await store.unfinishedSubmittedRuns()
    } catch {
      logger.error("cannot read the runs to schedule", metadata: ["error": "\(error)"])
      return []
    }
    let leaseDuration = LeaseSettings.from(environment: sessions.environment).duration
    var jobs: [Job] = []
    var waiting: [String: [RunRecord]] = [:]
    let now = Date()
    for run in unfinished where active[run.id] == nil {
      guard let scope = run.scope, let tenant = tenants.tenant(named: scope.tenant) else { continue }
      let mode: LeaseAcquisition
      if let lease = run.lease {
        // Someone else works on it (a CLI `apply --resume`, another replica): theirs until it lapses.
        if lease.expiresAt > now, !lease.owner.isKnownDead { continue }
        mode = .takeover
      } else {
        mode = .ifFree
      }
      switch run.status {
      case .pending where run.cancelRequestedAt != nil:
        await cancelQueued(run.id)
      case .pending:
        waiting[tenant.name, default: []].append(run)
      case .running, .cancelling, .destroying:
        // Started before: resumed whatever the quota, it already held a slot. A cancel its last
        // owner had not acted on yet is acted on now (taking the lease clears it in the store).
        guard await claim(run.id, mode: mode, duration: leaseDuration) else { continue }
        let destroy = run.status == .destroying
        jobs.append(destroy ? .destroy(run, tenant, .ifFree) : .start(run, tenant, .ifFree))
        active[run.id] = Active(
          tenant: tenant.name, handBack: RunHandBack(), cancelledEarly: !destroy && run.cancelRequestedAt != nil)
      default:
        continue
      }
    }
    var queues: [String: [RunID]] = [:]
    for (name, runs) in waiting {
      guard let tenant = tenants.tenant(named: name) else { continue }
      var claimed: Set<RunID> = []
      do {
        let leases = try await store.claimQueuedRuns(
          tenant: name, maxConcurrentRuns: tenant.maxConcurrentRuns, duration: leaseDuration)
        claimed = Set(leases.map(\.runId))
      } catch StateStoreError.busy {
        logger.info(
          "another process holds the tenant's queue; trying again at the next look", metadata: ["tenant": "\(name)"])
      } catch {
        logger.error("cannot claim queued runs", metadata: ["tenant": "\(name)", "error": "\(error)"])
      }
      for run in runs {
        if claimed.contains(run.id) {
          jobs.append(.start(run, tenant, .ifFree))
          active[run.id] = Active(tenant: name, handBack: RunHandBack())
        } else {
          queues[name, default: []].append(run.id)
        }
      }
    }
    self.queues = queues
    starting = [:]
    var activeByTenant: [String: Int] = [:]
    for run in active.values { activeByTenant[run.tenant, default: 0] += 1 }
    ServeMetrics.occupancy(
      active: activeByTenant, queued: queues.mapValues(\.count), tenants: tenants.current.tenants.map(\.name))
    return jobs
  }

  /// Takes the run's lease for this replica; false when another process has it (it won a race),
  /// or holds its row (a replica stopped in the middle of a write of it: the next pass looks again).
  private func claim(_ run: RunID, mode: LeaseAcquisition, duration: Duration) async -> Bool {
    do {
      _ = try await store.claimLease(of: run, duration: duration, mode: mode)
      return true
    } catch StateStoreError.runOwned, StateStoreError.leaseExpired {
      return false
    } catch StateStoreError.busy {
      logger.info(
        "the run's row is locked by another process; trying again at the next look", metadata: ["run.id": "\(run)"])
      return false
    } catch {
      logger.error("cannot take the lease of a run to resume", metadata: ["run.id": "\(run)", "error": "\(error)"])
      return false
    }
  }

  /// 1 for the next run of its tenant to start; nil when it is not waiting for a slot.
  func queuePosition(of run: RunID, tenant: String) -> Int? {
    queues[tenant]?.firstIndex(of: run).map { $0 + 1 }
  }

  /// How many runs the tenant has waiting for a slot.
  func queuedCount(tenant: String) -> Int { queues[tenant]?.count ?? 0 }

  /// The runs of `tenant` this service works on now, or starts at its next pass.
  func activeCount(tenant: String) -> Int {
    active.values.filter { $0.tenant == tenant }.count + (starting[tenant]?.count ?? 0)
  }

  /// Counts a run just submitted until the next pass decides about it: as starting when its tenant
  /// has room, else at the end of its queue, so a burst of submissions sees the quota fill up and
  /// each answer tells its queue position.
  func enqueued(_ run: RunID, tenant: TenantConfiguration) {
    if activeCount(tenant: tenant.name) + queuedCount(tenant: tenant.name) < tenant.maxConcurrentRuns {
      starting[tenant.name, default: []].insert(run)
    } else {
      queues[tenant.name, default: []].append(run)
    }
    poke()
  }

  // MARK: Cancel and destroy (from the API)

  /// Cancels `run`: a queued run is cancelled at once (it never starts); a run this service works
  /// on is cancelled as Ctrl-C cancels it (in vRA, then recorded); a run another process owns is
  /// asked through the store. The record after the request.
  func cancel(_ run: RunRecord) async throws -> RunRecord {
    try await decidingAlone {
      if active[run.id] != nil {
        let record = try await store.requestCancel(run: run.id)
        // Its task may not run yet: it is cancelled once it does.
        if let cancel = active[run.id]?.cancel { cancel() } else { active[run.id]?.cancelledEarly = true }
        return record
      }
      // Read again: a pass may have started and finished it since the caller read it.
      guard let current = try await store.run(run.id) else { return run }
      if current.status.isTerminal { return current }
      if current.status == .pending, current.lease == nil {
        await cancelQueued(run.id)
        return try await store.run(run.id) ?? current
      }
      let record = try await store.requestCancel(run: run.id)
      poke()
      return record
    }
  }

  private func cancelQueued(_ id: RunID) async {
    do {
      try await store.updateRunStatus(id, to: .cancelled)
      queues = queues.mapValues { $0.filter { $0 != id } }
    } catch {
      logger.error("cannot cancel a queued run", metadata: ["run.id": "\(id)", "error": "\(error)"])
    }
  }

  /// Records that `run` is to be destroyed and lets the scheduler start it.
  func destroy(_ run: RunRecord) async throws -> RunRecord {
    let record = try await store.updateRunStatus(run.id, to: .destroying)
    poke()
    return record
  }

  private func started(_ id: RunID, cancel: @escaping @Sendable () -> Void) {
    active[id]?.cancel = cancel
    // Cancelled first: a cancel that came before a hand-back wins over it (`RunOwnership`).
    if active[id]?.cancelledEarly == true { cancel() }
    if stopping { active[id]?.handBack.fire() }
  }

  private func finished(_ id: RunID) {
    active[id] = nil
    if !stopping { poke() }
  }

  private func handBack(of id: RunID) -> RunHandBack { active[id]?.handBack ?? RunHandBack() }

  // MARK: Work

  private nonisolated func perform(_ job: Job) async {
    let (run, tenant): (RunRecord, TenantConfiguration) =
      switch job {
      case .start(let run, let tenant, _), .destroy(let run, let tenant, _): (run, tenant)
      }
    let handBack = await handBack(of: run.id)
    let work = Task {
      try await ExecutionContext.$scope.withValue(run.scope) {
        switch job {
        case .start(_, _, let mode): try await execute(run, tenant: tenant, mode: mode, handBack: handBack)
        case .destroy(_, _, let mode): try await destroy(run, tenant: tenant, mode: mode)
        }
      }
    }
    await started(run.id, cancel: { work.cancel() })
    do {
      try await work.value
    } catch is RunHandedBack {
      logger.info("run handed back", metadata: ["run.id": "\(run.id)"])
    } catch StateStoreError.runOwned {
      logger.info("run is owned by another process now", metadata: ["run.id": "\(run.id)"])
    } catch StateStoreError.leaseLost {
      // Taken over, or its lease ran out while this process was stalled: the run is not this
      // process's to end. Nothing is written for it (the lease, if still held, is released below).
      logger.notice("lost the lease of the run; leaving it to the next owner", metadata: ["run.id": "\(run.id)"])
    } catch {
      await recordFailure(of: run.id, error, cancelled: work.isCancelled)
    }
    // A claim the work never took over (it failed or was handed back before the run started):
    // released, so another replica picks the run up at once rather than when the claim lapses.
    try? await store.releaseLease(of: run.id)
    if let status = try? await store.run(run.id)?.status, status.isTerminal {
      ServeMetrics.finished(tenant: tenant.name, status: status.rawValue)
    }
    await finished(run.id)
  }

  /// Runs (or resumes) a submitted run from its stored bundle, in its tenant's session.
  private nonisolated func execute(
    _ run: RunRecord, tenant: TenantConfiguration, mode: LeaseAcquisition, handBack: RunHandBack
  ) async throws {
    guard let text = try await store.bundle(of: run.id) else {
      throw ServiceRunError("no bundle is stored with run \(run.id)")
    }
    let bundle = try StoredBundle.decode(text)
    let workspace = BundleWorkspace(limits: tenants.current.limits)
    try await workspace.materialized(bundle, in: workDirectory) { planFile, root in
      let (plan, _) = try PlanAdmission.load(bundle, planFile: planFile, root: root)
      let configuration = sessions.configuration(for: tenant)
      let resolver = SecretResolver(environment: try await configuration.secretEnvironment())
      let secrets = try await PlanSecrets.resolve(plan, with: resolver, registeringIn: OutputRedaction.redactor)
      try await RunSession.with(
        configuration, resolver: resolver, recorded: run, store: store, simulator: sessions.simulator,
        notice: { [logger] in logger.notice("\($0)") }
      ) { session in
        let (events, sink, finish) = RunEvent.stream()
        let orchestrator = Orchestrator(
          plan: plan, client: session.client, store: session.store,
          tracking: sessions.trackers?.tracking(for: tenant, run: run.id) ?? session.tracker, environment: [:],
          logger: logger, secrets: secrets, lease: session.lease, target: session.target, events: sink)
        try await withThrowingDiscardingTaskGroup { group in
          group.addTask { [store] in await RunEventRecorder(store: store, run: run.id).record(events) }
          defer { finish() }
          _ = try await orchestrator.run(run.id, ownership: mode, handBack: handBack)
        }
      }
    }
  }

  /// Deletes what the run created, against the vRA it ran on.
  private nonisolated func destroy(_ run: RunRecord, tenant: TenantConfiguration, mode: LeaseAcquisition) async throws {
    let configuration = sessions.configuration(for: tenant)
    try await RunSession.with(
      configuration, recorded: run, store: store, simulator: sessions.simulator,
      notice: { [logger] in logger.notice("\($0)") }
    ) { session in
      let order = RunDestroyer.stageOrder(of: run, recorded: try await session.store.stages(of: run.id).map(\.name))
      _ = try await RunDestroyer(
        client: session.client, store: session.store,
        tracking: sessions.trackers?.tracking(for: tenant, run: run.id) ?? session.tracker, lease: session.lease
      ).destroy(run.id, order: order, mode: mode)
    }
  }

  /// A run that could not even start (its secrets, its vRA, its bundle): failed, with the reason as
  /// an event, so it does not wait forever. A run cancelled before it started is recorded cancelled.
  private func recordFailure(of id: RunID, _ error: any Error, cancelled: Bool) async {
    let message = OutputRedaction.redactor.redact("\(error)")
    logger.error("run could not go on", metadata: ["run.id": "\(id)", "error": "\(message)"])
    guard let run = try? await store.run(id), !run.status.isTerminal else { return }
    let status: RunStatus = cancelled ? .cancelled : (run.status == .destroying ? .destroyFailed : .failed)
    _ = try? await store.appendEvent(
      run: id, stage: nil, kind: "run.error", message: message, data: ["class": .string("\(type(of: error))")])
    if run.status.canTransition(to: status) {
      _ = try? await store.updateRunStatus(id, to: status)
    }
  }
}

/// Why the service could not run a submitted run.
struct ServiceRunError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
