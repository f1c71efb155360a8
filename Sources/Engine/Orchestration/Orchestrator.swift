import Foundation
import Logging
import RunState
import Tracing
import VRAClient
import VRAModels

/// Runs a plan: every stage in dependency order with bounded concurrency, each step written to
/// the state store before it is taken, rollback on failure when the plan asks for it, and resume
/// of a run that stopped (crash, Ctrl-C, a lost connection) exactly where it was.
public struct Orchestrator: Sendable {
  public let plan: Plan
  public let client: VRAClient
  public let store: any StateStore
  public let tracking: any RequestTracking
  public let environment: [String: String]
  public let logger: Logger
  /// False: each stage ends once vRA accepted its request, left `submitted`, and the run stays
  /// `running` (`vra-engine deploy --no-wait`); a later run of the same id re-attaches to it.
  public let waitForCompletion: Bool
  /// Limits that override the plan's and may change during the run (config hot reload).
  public let limits: ConcurrencyLimits?
  /// The plan's resolved `secrets:`, merged into each stage's inputs when it is submitted.
  public let secrets: PlanSecrets
  /// Makes the run's and the stages' spans (`EngineSpans`).
  public let tracer: any Tracer
  /// The lease this process holds on the run while it works on it.
  public let lease: LeaseSettings
  /// The vRA this orchestrator's client talks to, recorded with every run it creates.
  public let target: RunTarget?
  private let emit: @Sendable (RunEvent) -> Void

  /// - Parameter waitForCompletion: false stops each stage once vRA accepted it (see `StageOutcome.submitted`).
  /// - Parameter secrets: the plan's `secrets:`, resolved (`PlanSecrets.resolve`) with the client's redactor.
  /// - Parameter tracer: nil uses the process's (`InstrumentationSystem.tracer`, a no-op unless bootstrapped).
  /// - Parameter events: receives every `RunEvent` in order (the progress display, logs, tests).
  ///
  /// What the run writes to `store` and emits as events passes the client's `Redactor` first
  /// (`RedactingStateStore`): the engine's two exits, redacted in one place each.
  public init(
    plan: Plan, client: VRAClient, store: any StateStore, tracking: any RequestTracking,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    logger: Logger = Logger(label: "vra-engine.engine"), waitForCompletion: Bool = true,
    limits: ConcurrencyLimits? = nil, secrets: PlanSecrets = PlanSecrets(), tracer: (any Tracer)? = nil,
    lease: LeaseSettings = LeaseSettings(), target: RunTarget? = nil,
    events: @escaping @Sendable (RunEvent) -> Void = { _ in }
  ) {
    self.lease = lease
    self.target = target
    let redactor = client.redactor
    redactor.registerSensitiveNames(PlanSecrets.sensitiveNames(of: plan))
    self.limits = limits
    self.plan = plan
    self.client = client
    self.store = store is RedactingStateStore ? store : RedactingStateStore(store, redactor: redactor)
    self.tracking = tracking
    self.environment = environment
    self.logger = logger
    self.waitForCompletion = waitForCompletion
    self.secrets = secrets
    self.tracer = tracer ?? InstrumentationSystem.tracer
    self.emit = { events(redactor.redact($0)) }
  }

  /// Records a new run (all stages pending) and returns its id; nothing is sent to vRA yet.
  ///
  /// A plan bound to an environment (`plan.environment`, see `EnvironmentBinding`) makes the run the
  /// one applying it, refused with `StateStoreError.environmentBusy` while another run that has not
  /// ended applies it; `prune` lets the run delete the stages the plan no longer has.
  public func createRun(id: RunID = .generate(), planDigest: String, prune: Bool = false) async throws -> RunID {
    var options: [String: JSONValue] = ["parallelism": .int(plan.defaults.parallelism)]
    if let environment = plan.environment {
      try await store.claimEnvironment(environment, planName: plan.name, run: id)
      options[Self.environmentOption] = .string(environment)
      options[Self.pruneOption] = .bool(prune)
    }
    _ = try await store.createRun(
      id: id, planName: plan.name, planPath: plan.file, planDigest: planDigest, options: .object(options),
      stages: plan.stageNames, target: target)
    return id
  }

  /// The run option naming the environment a run applies.
  public static let environmentOption = "environment"
  static let pruneOption = "prune"

  /// Runs (or resumes) `runId` to its end and returns the final run record.
  ///
  /// The run's lease is held for the whole time (`RunOwnership`): a run another live process owns
  /// is refused (`StateStoreError.runOwned`), an expired lease is taken only with `.takeover`.
  /// Cancelling the calling task, or a cancel request left in the store by another process,
  /// cancels the in-flight vRA requests, records it, and ends the run `cancelled`. A lease taken
  /// over by another process ends the work at once with `StateStoreError.leaseLost`.
  /// The whole run is one `vra-engine.run` span, each stage a child of it.
  ///
  /// - Parameter handBack: fired, the work stops without cancelling or recording anything, the lease is
  ///   released and the run ends with `RunHandedBack` (a service shutting down).
  public func run(
    _ runId: RunID, ownership: LeaseAcquisition = .ifFree, handBack: RunHandBack? = nil
  ) async throws -> RunRecord {
    try await tracer.withAnySpan(EngineSpans.run, ofKind: .internal) { span in
      span.attributes[EngineSpans.Key.runId] = runId.rawValue
      span.attributes[EngineSpans.Key.planName] = plan.name
      if let tenant = ExecutionContext.scope?.tenant { span.attributes[EngineSpans.Key.tenant] = tenant }
      // The work runs in a task of its own (so a cancel request can stop it), which inherits the span's context.
      let record = try await RunOwnership(store: store, settings: lease).hold(
        runId, mode: ownership, handBack: handBack
      ) {
        control in
        try await EngineSpans.$runContext.withValue(ServiceContext.current) {
          try await execute(runId, control: control, span: span)
        }
      }
      span.attributes[EngineSpans.Key.runStatus] = record.status.rawValue
      if record.status == .failed { span.setStatus(SpanStatus(code: .error, message: "a stage failed")) }
      return record
    }
  }

  private func execute(_ runId: RunID, control: RunControl, span: any Span) async throws -> RunRecord {
    guard let existing = try await store.run(runId) else {
      throw StageFailure(message: "no run \(runId) in the state store")
    }
    guard existing.status.canTransition(to: .running) else {
      throw RunRefusal.notResumable(runId, existing.status)
    }
    let resumed = existing.status != .pending
    span.attributes[EngineSpans.Key.resumed] = resumed
    let environmentName = existing.options[Self.environmentOption]?.stringValue
    if let environmentName {
      // A resume applies the environment again only if no other run took it meanwhile.
      guard plan.environment == environmentName else {
        throw RunRefusal.environmentMismatch(runId, recorded: environmentName, given: plan.environment)
      }
      if resumed { try await store.claimEnvironment(environmentName, planName: plan.name, run: runId) }
    }
    try await store.updateRunStatus(runId, to: .running)
    emit(.runStarted(runId, stages: plan.stageNames, resumed: resumed))
    if resumed {
      // What did not succeed runs again: its ids stay, so a leftover deployment is deleted first.
      for record in try await store.stages(of: runId) where record.status.canTransition(to: .pending) {
        try await store.recordStageStatus(run: runId, stage: record.name, to: .pending)
      }
    }

    // What a previous attempt of this run already finished.
    var known: [String: StageOutcome] = [:]
    var finished: [String: StageOutputs] = [:]
    for record in try await store.stages(of: runId) where record.status == .succeeded {
      known[record.name] = .succeeded
      finished[record.name] = StageOutputs(record: record)
    }

    let graph = try StageGraph(plan: plan)
    let runner = StageRunner(
      runId: runId, plan: plan, client: client, store: store, tracking: tracking,
      catalog: VRACatalog(client: client), results: UpstreamOutputs(finished), environment: environment,
      secrets: secrets, emit: emit, logger: logger, tracer: tracer, waitForCompletion: waitForCompletion,
      control: control, environmentName: environmentName)
    let stagesByName = Dictionary(uniqueKeysWithValues: plan.stages.map { ($0.name, $0) })
    let scheduler = RolloutScheduler(
      stages: plan.stages.map {
        .init(name: $0.name, dependencies: Set(graph.dependencies(of: $0.name)), project: plan.project(for: $0) ?? "")
      },
      policy: SchedulingPolicy(
        parallelism: plan.defaults.parallelism, perProjectLimit: plan.defaults.perProjectLimit,
        onFailure: plan.defaults.onFailure == .continue ? .continue : .stop), limits: limits)

    let metrics = StageMetrics()
    var outcomes = await scheduler.run(known: known) { [plan, emit] stage in
      let planned = stagesByName[stage.name]!
      let context = plan.executionContext(for: planned, runId: runId)
      emit(.stageContext(context))
      let started = ContinuousClock.now
      let outcome = await ExecutionContext.$current.withValue(context) { await runner.run(planned) }
      metrics.record(outcome, duration: ContinuousClock.now - started)
      return outcome
    }
    let store = self.store
    if control.leaseLost { throw StateStoreError.leaseLost(run: runId, owner: nil) }
    // Handed back: the stages not started stay pending, those in flight stay as recorded.
    if control.reason == .handedBack { throw RunHandedBack(runId: runId) }
    for (name, outcome) in outcomes {
      guard case .skipped(let reason) = outcome else { continue }
      metrics.record(outcome, duration: nil)
      let stored = try? await shielded { try await store.stage(run: runId, name: name) }
      if let stored, stored.status.isInFlight, let planned = stagesByName[name] {
        // Never started here, yet in flight in vRA (an earlier owner submitted it): the run is not
        // going on, so its request is cancelled and the stage recorded as vRA ends it.
        outcomes[name] = await runner.cancelInFlight(planned)
        continue
      }
      _ = try? await shielded { try await store.recordStageStatus(run: runId, stage: name, to: .skipped) }
      emit(.stage(name, .skipped, detail: reason))
    }

    // The stop reason, not `Task.isCancelled`, says whether the run was cancelled: a hand-back that
    // came while the stages were ending (after the check above) cancels this task too, and the run
    // is then left to its next owner, not recorded as cancelled.
    if control.reason == .handedBack { throw RunHandedBack(runId: runId) }
    let cancelled = control.reason == .cancelRequested || outcomes.values.contains(.cancelled)
    let failed = outcomes.values.contains { if case .failed = $0 { true } else { false } }
    if failed && !cancelled && plan.defaults.rollback == .onFailure {
      var rollback = Rollback(
        runId: runId, order: graph.topologicalOrder, purpose: .rollback, client: client, store: store,
        tracking: tracking, emit: emit)
      if let environmentName {
        rollback.reverter = UpdateReverter(
          environment: environmentName, runId: runId, plan: plan, secrets: secrets, client: client, store: store,
          tracking: tracking)
      }
      _ = try await rollback.run()
    }
    if let environmentName, !failed, !cancelled {
      try await EnvironmentPruner(
        environment: environmentName, runId: runId, plan: plan, client: client, store: store, tracking: tracking,
        control: control, logger: logger
      ).run(prune: existing.options[Self.pruneOption] == .bool(true))
    }
    if !cancelled && !failed && outcomes.values.contains(.submitted) {
      // Stages vRA is still working on, unwatched: the run is `submitted`, so `runs` shows it in
      // flight, `cancel` can cancel it and `runs watch` or a resume re-attaches to it.
      emit(.runFinished(runId, .submitted))
      return try await shielded { try await store.updateRunStatus(runId, to: .submitted) }
    }
    let status: RunStatus = cancelled ? .cancelled : failed ? .failed : .succeeded
    let record = try await shielded {
      try await store.updateRunStatus(runId, to: status)
    }
    emit(.runFinished(runId, status))
    return record
  }
}

extension StageOutputs {
  /// The result of a stage finished by an earlier attempt of the run, read back from the store.
  init(record: StageRecord) {
    var resources: [String: [String: JSONValue]] = [:]
    for (name, value) in record.resources?.objectValue ?? [:] { resources[name] = value.objectValue ?? [:] }
    self.init(
      deploymentId: record.deploymentId ?? "", deploymentName: record.deploymentName ?? "",
      outputs: record.outputs?.objectValue ?? [:], resources: resources)
  }
}
