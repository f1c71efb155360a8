import Foundation
import RunState
import Synchronization
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Figures of a whole test run.
final class EnvironmentModelStats: Sendable {
  struct Counts: Sendable {
    var sequences = 0
    var events: [String: Int] = [:]
    var applies: [Int32: Int] = [:]
    var creates = 0
    var updates = 0
    var unchanged = 0
    var rollbacks = 0
    var rollbackDeletes = 0
    var failedUpdates = 0
    var driftRepairs = 0
    var readersOfNewIds = 0
    var pruned = 0
    var kills = 0
    var killsTooLate = 0
    var outsideSkipped = 0
    var noPostChecks = 0
    var invariantChecks = 0
    var violations = 0
  }
  private let counts = Mutex(Counts())
  private let failed = Mutex<[(EnvironmentSequence, [String])]>([])
  func update(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }
  var value: Counts { counts.withLock { $0 } }
  func fail(_ sequence: EnvironmentSequence, _ violations: [String]) {
    failed.withLock { $0.append((sequence, violations)) }
  }
  var failures: [(EnvironmentSequence, [String])] { failed.withLock { $0 } }
}

/// What the engine decides for a stage (`plan`'s action).
enum ExpectedDecision: String, Sendable {
  case create, update
  case noOp = "no-op"
}

/// What the model says the environment has for one stage: what was last applied successfully
/// (what `plan` compares with) and what vRA shows.
struct ExpectedStage: Sendable {
  var kind: EnvironmentStageKind
  var deploymentId: String
  /// The inputs as applied (and stored).
  var inputs: [String: JSONValue]
  var templateVersion: Int
  /// A network stage's output `id` (what its readers get).
  var outputId: String?
  /// The deployment was deleted outside since the last apply of the stage.
  var deletedOutside = false
  /// A successful update made outside changed its inputs since (drift to repair).
  var driftOutside = false
  /// The inputs the deployment shows in vRA (a failed update's too: vRA keeps them).
  var vraInputs: [String: JSONValue]
}

/// Applies one sequence's events to the engine (the CLI in process, or a real `apply` process)
/// and the simulator, keeps the model of what the environment should have, and checks every
/// invariant after every step. Stops at the first step that breaks one (later steps would only
/// repeat it). Returns the violations, each prefixed with its step.
struct EnvironmentDriver {
  let sequence: EnvironmentSequence
  let harness: SimulatorHarness
  let directory: URL
  let stats: EnvironmentModelStats
  let stepTimeout = Duration.seconds(90)

  // The plan as the files say it.
  private var plan: [EnvironmentStageSpec]
  private var templateVersion: [EnvironmentStageKind: Int] = [.net: 0, .app: 0]
  // The model of the environment.
  private var expected: [String: ExpectedStage] = [:]
  /// Per deployment id: the `Update` requests vRA must show.
  private var updates: [String: Int] = [:]
  private var failing: String?
  /// The run a SIGKILL left, and what its resume must do.
  private var killed: (runId: String, decisions: [String: ExpectedDecision])?

  private var violations: [String] = []
  private var step = 0
  private var trace: String?
  private var session: SimulatorSession?

  init(sequence: EnvironmentSequence, harness: SimulatorHarness, directory: URL, stats: EnvironmentModelStats) {
    self.sequence = sequence
    self.harness = harness
    self.directory = directory
    self.stats = stats
    self.plan = sequence.stages
  }

  var environment: String { sequence.environment }
  var database: String { directory.appendingPathComponent(".vra-engine/state.db").path }
  func deploymentName(_ stage: String) -> String { "\(environment)-\(stage)" }

  mutating func violation(_ message: String) {
    violations.append("step \(step) (\(step == 0 ? "setup" : sequence.events[step - 1].description)): \(message)")
  }

  mutating func execute() async -> [String] {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try writePlan()
      for kind in EnvironmentStageKind.allCases { try writeTemplate(kind) }
      session = try await SimulatorSession.start(harness)
      for (index, event) in sequence.events.enumerated() {
        step = index + 1
        try await apply(event)
        stats.update { $0.events[event.kind, default: 0] += 1 }
        if violations.isEmpty { try await checkInvariants(afterKill: killed != nil) }
        if !violations.isEmpty {
          trace = try? await self.traceText()
          break
        }
      }
    } catch {
      violation("the driver stopped: \(error)")
      if trace == nil { trace = try? await self.traceText() }
    }
    if failing != nil { try? await harness.server.setFailUpdates([]) }
    stats.update {
      $0.sequences += 1
      $0.violations += violations.count
    }
    return violations + (trace.map { ["state after the first violating step:\n" + $0] } ?? [])
  }

  // MARK: Files

  func writePlan() throws {
    try EnvironmentPlanFile.yaml(environment: environment, rollback: sequence.rollback, stages: plan)
      .write(to: directory.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
  }

  func writeTemplate(_ kind: EnvironmentStageKind) throws {
    try kind.text(version: templateVersion[kind]!)
      .write(to: directory.appendingPathComponent(kind.template), atomically: true, encoding: .utf8)
  }

  // MARK: The model's decisions

  /// The inputs the plan wants for `spec`, the network read from what the model says its
  /// upstream stage has now.
  func desiredInputs(_ spec: EnvironmentStageSpec) -> [String: JSONValue] {
    switch spec.kind {
    case .net: ["cidr": .string(spec.value)]
    case .app:
      ["network": .string(expected[spec.upstream!]?.outputId ?? "(unknown)"), "size": .string(spec.value)]
    }
  }

  /// What an apply decides for each stage of the plan now.
  func decisions() async throws -> [String: ExpectedDecision] {
    // A deployment whose last update failed (ours or one made outside) keeps that update's inputs in
    // vRA: the engine repairs it with an update (drift `update-failed`), whatever the plan says.
    let failedLastUpdate = Set(try await deployments().filter { $0.status == .updateFailed }.map(\.name))
    var decisions: [String: ExpectedDecision] = [:]
    for spec in plan.filter({ $0.kind == .net }) + plan.filter({ $0.kind == .app }) {
      guard let stage = expected[spec.name], !stage.deletedOutside else {
        decisions[spec.name] = .create
        continue
      }
      // A network created anew has a new id: its readers are updated (known after apply).
      let upstreamNew = spec.upstream.map { decisions[$0] == .create } ?? false
      let changed =
        upstreamNew || stage.kind != spec.kind || stage.templateVersion != templateVersion[spec.kind]
        || stage.inputs != desiredInputs(spec) || stage.driftOutside
        || failedLastUpdate.contains("\(environment)-\(spec.name)")
      decisions[spec.name] = changed ? .update : .noOp
    }
    return decisions
  }

  /// The stage whose update fails in an apply deciding `decisions`, if any (one stage at a time,
  /// `onFailure: stop`: it is the run's only failure).
  func failingUpdate(_ decisions: [String: ExpectedDecision]) -> String? {
    guard let failing, decisions[failing] == .update else { return nil }
    return failing
  }

  // MARK: Events

  mutating func apply(_ event: EnvironmentEvent) async throws {
    switch event {
    case .changeInput(let stage, let value):
      guard let position = plan.firstIndex(where: { $0.name == stage }) else { return }
      plan[position].value = value
      try writePlan()
    case .changeTemplate(let kind):
      templateVersion[kind]! += 1
      try writeTemplate(kind)
    case .addStage(let spec):
      plan.append(spec)
      try writePlan()
    case .removeStage(let stage):
      plan.removeAll { $0.name == stage }
      try writePlan()
    case .apply(let prune):
      try await applyInProcess(prune: prune)
    case .failUpdates(let stage):
      try await harness.server.setFailUpdates([deploymentName(stage)])
      failing = stage
    case .clearFailures:
      try await harness.server.setFailUpdates([])
      failing = nil
    case .deleteOutside(let stage):
      try await deleteOutside(stage)
    case .updateOutside(let stage):
      try await updateOutside(stage)
    case .killedApply(let after):
      try await killedApply(after: after)
    case .applyWhileKilled:
      try await applyWhileKilled()
    case .resume:
      try await resume()
    case .plan:
      try await planCheck()
    }
  }

  func cli(_ arguments: [String]) async throws -> CLIHarness.Outcome {
    try await CLIHarness.run(arguments, in: directory, harness: harness)
  }

  mutating func applyInProcess(prune: Bool) async throws {
    let decisions = try await decisions()
    let outcome = try await cli(["apply", "plan.yaml"] + (prune ? ["--prune"] : []))
    try await settle(outcome.status, output: outcome.everything, decisions: decisions, prune: prune)
  }

  /// Judges an apply (or a resume) that ended with `status`, and brings the model to what it
  /// must have left.
  mutating func settle(
    _ status: Int32, output: String, decisions: [String: ExpectedDecision], prune: Bool
  ) async throws {
    stats.update { $0.applies[status, default: 0] += 1 }
    var decisions = decisions
    var failure = failingUpdate(decisions)
    let (record, runStages, applied) = try await withStore { store in
      let record = try await store.environment(environment)
      var runStages: [StageRecord] = []
      if let runId = record?.activeRunId { runStages = try await store.stages(of: runId) }
      let applied = try await store.environmentStages(environment)
      return (record, runStages, applied)
    }
    guard let record, let runId = record.activeRunId else {
      violation("the store has no environment \(environment) (or no run of it) after an apply")
      return
    }
    let runs = Dictionary(uniqueKeysWithValues: runStages.map { ($0.name, $0) })
    let stored = Dictionary(uniqueKeysWithValues: applied.map { ($0.applied.stage, $0.applied) })
    let ordered = plan.filter { $0.kind == .net } + plan.filter { $0.kind == .app }

    for spec in ordered {
      var decision = decisions[spec.name]!
      // A network's update may give it a new id (vRA recreates a resource an earlier update left
      // failed): its readers then get the new id, an update `plan` could not foresee.
      if spec.kind == .app, decision == .noOp, let model = expected[spec.name], model.inputs != desiredInputs(spec) {
        decision = .update
        decisions[spec.name] = .update
        stats.update { $0.readersOfNewIds += 1 }
        if spec.name == failing { failure = spec.name }
      }
      guard let run = runs[spec.name] else {
        violation("run \(runId) has no stage \(spec.name)")
        continue
      }
      guard let operation = run.operation else {
        if failure == nil { violation("stage \(spec.name) never started in run \(runId) (\(run.status))") }
        continue  // skipped after the failure
      }
      let wantedOperation: StageOperation =
        switch decision {
        case .create: .create
        case .update: .update
        case .noOp: .unchanged
        }
      if operation != wantedOperation {
        violation(
          "stage \(spec.name): the engine did \(operation.rawValue), the model decided \(decision.rawValue)")
        continue
      }
      let previous = expected[spec.name]
      let driftRepair = previous.map { $0.deletedOutside || $0.driftOutside } ?? false

      if spec.name == failure {
        // The failed update: the environment keeps what it had; vRA shows the inputs last sent.
        if run.status != .failed { violation("stage \(spec.name)'s update was to fail; it is \(run.status)") }
        guard var stage = previous else { continue }
        updates[stage.deploymentId, default: 0] += sequence.rollback ? 2 : 1
        stage.vraInputs = sequence.rollback ? stage.inputs : desiredInputs(spec)
        expected[spec.name] = stage
        stats.update {
          $0.failedUpdates += 1
          $0.updates += 1
        }
        continue
      }
      if failure != nil && sequence.rollback {
        switch decision {
        case .update:
          if run.status != .rolledBack { violation("stage \(spec.name)'s update was not rolled back (\(run.status))") }
          if var previous {
            // Back to what the environment had (a drift the update repaired stays repaired).
            updates[previous.deploymentId, default: 0] += 2
            previous.vraInputs = previous.inputs
            previous.driftOutside = false
            expected[spec.name] = previous
          }
          stats.update {
            $0.updates += 1
            $0.rollbacks += 1
          }
        case .create:
          if run.status != .rolledBack { violation("stage \(spec.name)'s create was not rolled back (\(run.status))") }
          expected[spec.name] = nil  // deleted, and the environment forgets it
          stats.update {
            $0.creates += 1
            $0.rollbackDeletes += 1
          }
        case .noOp:
          stats.update { $0.unchanged += 1 }
        }
        continue
      }
      if run.status != .succeeded {
        violation("stage \(spec.name) is \(run.status) after its \(decision.rawValue)")
        continue
      }
      guard let applied = stored[spec.name] else {
        violation("stage \(spec.name) succeeded but the environment has no such stage")
        continue
      }
      var outputId = previous?.outputId
      switch decision {
      case .create:
        if let previous, applied.deploymentId == previous.deploymentId {
          violation("stage \(spec.name) was created again but kept deployment id \(applied.deploymentId)")
        }
        updates[applied.deploymentId] = 0
        outputId = spec.kind == .net ? applied.outputs["id"]?.stringValue : nil
        if spec.kind == .net && outputId == nil { violation("network stage \(spec.name) stored no output id") }
        stats.update { $0.creates += 1 }
      case .update:
        if applied.deploymentId != previous?.deploymentId {
          violation(
            "stage \(spec.name) was updated in place but its id went \(previous?.deploymentId ?? "-") → \(applied.deploymentId)"
          )
        }
        updates[applied.deploymentId, default: 0] += 1
        if spec.kind == .net { outputId = applied.outputs["id"]?.stringValue }
        stats.update { $0.updates += 1 }
      case .noOp:
        stats.update { $0.unchanged += 1 }
      }
      if driftRepair && decision != .noOp { stats.update { $0.driftRepairs += 1 } }
      let inputs = desiredInputs(
        spec, upstreamOutput: spec.upstream.flatMap { expected[$0]?.outputId })
      expected[spec.name] = ExpectedStage(
        kind: spec.kind, deploymentId: applied.deploymentId, inputs: inputs,
        templateVersion: templateVersion[spec.kind]!, outputId: outputId, vraInputs: inputs)
    }
    if failure == nil && prune {
      let planned = Set(plan.map(\.name))
      for name in expected.keys where !planned.contains(name) {
        expected[name] = nil
        stats.update { $0.pruned += 1 }
      }
    }
    let wanted: Int32 = failure == nil ? 0 : 1
    if status != wanted {
      violation(
        "apply exited \(status), the model expects \(wanted) (decisions "
          + "\(decisions.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.rawValue)" })): "
          + String(output.suffix(1500)))
    }
    guard violations.isEmpty else { return }
    if status == 0 {
      try await afterSuccess(output: output)
    } else if expected[failure!]?.driftOutside == false {
      // (After a successful update made outside, the last successful request is that one: the
      // environment keeps its own state, and the drift stays to be repaired.)
      try await afterFailedUpdate(failure!)
    }
  }

  func desiredInputs(_ spec: EnvironmentStageSpec, upstreamOutput: String?) -> [String: JSONValue] {
    var inputs = desiredInputs(spec)
    if spec.kind == .app { inputs["network"] = .string(upstreamOutput ?? "(unknown)") }
    return inputs
  }

  /// Invariant 2: after an apply that exited 0, nothing is left to change: `plan` says so, the
  /// store and vRA have the plan's inputs, and a second apply sends nothing.
  mutating func afterSuccess(output: String) async throws {
    let planned = try await cli(["plan", "plan.yaml", "--detailed-exitcode"])
    if planned.status != 0 {
      violation(
        "after a successful apply, plan --detailed-exitcode exited \(planned.status): \(planned.stdout.suffix(1500))")
    }
    let applied = try await withStore { try await $0.environmentStages(environment) }
    let stored = Dictionary(uniqueKeysWithValues: applied.map { ($0.applied.stage, $0.applied) })
    let deployments = try await deployments()
    for spec in plan {
      guard let stage = stored[spec.name] else {
        violation("after a successful apply, the environment has no stage \(spec.name)")
        continue
      }
      let wanted = desiredInputs(spec, upstreamOutput: spec.upstream.flatMap { stored[$0]?.outputs["id"]?.stringValue })
      if stage.inputs != wanted {
        violation(
          "after a successful apply, stage \(spec.name) stored inputs \(stage.inputs), the plan's are \(wanted)")
      }
      guard let live = deployments.first(where: { $0.id == stage.deploymentId }) else { continue }
      let shown = (live.inputs ?? [:]).filter { stage.inputs.keys.contains($0.key) }
      if shown != stage.inputs {
        violation(
          "after a successful apply, vRA shows \(deploymentName(spec.name)) with inputs \(shown), stored \(stage.inputs)"
        )
      }
    }
    let before = try await posts()
    let again = try await cli(["apply", "plan.yaml"])
    if again.status != 0 { violation("a second apply exited \(again.status): \(again.everything.suffix(1500))") }
    let sent = try await posts() - before
    if sent != 0 { violation("a second apply with nothing to change sent \(sent) POSTs") }
    stats.update {
      $0.noPostChecks += 1
      $0.applies[again.status, default: 0] += 1
    }
  }

  /// Invariant 3: after a failed update, the stages the run updated are back (with rollback), and
  /// the failed stage is stored as its last successful request left it in vRA.
  mutating func afterFailedUpdate(_ stage: String) async throws {
    guard
      let applied = try await withStore({ try await $0.environmentStages(environment) })
        .first(where: { $0.applied.stage == stage })?.applied
    else {
      violation("the failed stage \(stage) is gone from the environment")
      return
    }
    let requests = try await requests(of: applied.deploymentId)
    guard
      let last = requests.filter({ $0.status == .successful && $0.inputs != nil }).max(by: {
        $0.createdAt < $1.createdAt
      })
    else {
      violation("deployment \(deploymentName(stage)) has no successful request")
      return
    }
    let shown = (last.inputs ?? [:]).filter { applied.inputs.keys.contains($0.key) }
    if shown != applied.inputs {
      violation(
        "the failed stage \(stage) is stored with inputs \(applied.inputs), its last successful request in vRA "
          + "(\(last.id ?? "?")) has \(shown)")
    }
  }

  mutating func deleteOutside(_ stage: String) async throws {
    guard var model = expected[stage], !model.deletedOutside else {
      stats.update { $0.outsideSkipped += 1 }
      return
    }
    let id = model.deploymentId
    let answer = try await session!.delete("/deployment/api/deployments/\(id)")
    guard (200..<300).contains(answer.status) else {
      violation("deleting \(deploymentName(stage)) outside answered \(answer.status): \(answer.json)")
      return
    }
    _ = try await harness.http.poll(timeout: stepTimeout) { () -> Bool? in
      try await deployments().contains { $0.id == id } ? nil : true
    }
    model.deletedOutside = true
    expected[stage] = model
  }

  mutating func updateOutside(_ stage: String) async throws {
    guard var model = expected[stage], !model.deletedOutside else {
      stats.update { $0.outsideSkipped += 1 }
      return
    }
    let id = model.deploymentId
    let deployment = try await session!.get("/deployment/api/deployments/\(id)?expand=lastRequest")
      .decode(Deployment.self)
    let key = model.kind.literal
    let current = deployment.inputs ?? [:]
    let value = model.kind.values.first { $0 != model.inputs[key]?.stringValue && $0 != current[key]?.stringValue }!
    var inputs = current.filter { model.inputs.keys.contains($0.key) }
    inputs[key] = .string(value)
    let answer = try await session!.post(
      "/blueprint/api/blueprint-requests",
      [
        "deploymentId": .string(id), "projectId": .string(deployment.projectId ?? ""),
        "content": .string(model.kind.text(version: model.templateVersion)), "inputs": .object(inputs),
        "reason": "changed by hand",
      ])
    guard answer.status == 202 else {
      violation("the update made outside answered \(answer.status): \(answer.json)")
      return
    }
    let baseline = deployment.lastRequest?.id
    let ended = try await harness.http.poll(timeout: stepTimeout) { () -> DeploymentRequest? in
      let now = try await session!.get("/deployment/api/deployments/\(id)?expand=lastRequest").decode(Deployment.self)
      guard let last = now.lastRequest, last.id != baseline, last.status?.isTerminal == true else { return nil }
      return last
    }
    updates[id, default: 0] += 1
    model.vraInputs = inputs
    if ended.status == .successful {
      model.driftOutside = true
    } else if stage != failing {
      violation("the update made outside ended \(ended.status?.rawValue ?? "?") though updates of \(stage) do not fail")
    }
    expected[stage] = model
  }

  /// A real `apply` process, SIGKILLed once it sent its first request and the run then made
  /// `after` more stage status changes (or not, if it ends first).
  mutating func killedApply(after: Int) async throws {
    let decisions = try await decisions()
    let previousRun = try await withStore { try await $0.environment(environment)?.activeRunId }
    let route = "POST /blueprint/api/blueprint-requests"
    let sentBefore = await harness.server.stats().count(route)
    let log = directory.appendingPathComponent("apply-\(step).log")
    let process = try spawnApply(log: log)
    let store = try await SQLStateStore.openSQLite(at: database)
    var runId: RunID?
    var changesAtSend = 0
    do {
      let sent = try await pollUntil(timeout: stepTimeout) {
        guard process.isRunning else { return true }
        return await harness.server.stats().count(route) > sentBefore
      }
      if sent, process.isRunning {
        runId = try await store.environment(environment)?.activeRunId
        if runId == previousRun { runId = nil }
        if let runId { changesAtSend = try await stageChanges(store, runId) }
      }
      if let runId {
        _ = try await pollUntil(timeout: stepTimeout) {
          guard process.isRunning else { return true }
          return try await stageChanges(store, runId) - changesAtSend >= after
        }
      }
    } catch {
      try? await store.close()
      throw error
    }
    try? await store.close()
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      _ = try await waitForExit(process)
      guard let runId = try await withStore({ try await $0.environment(environment)?.activeRunId }),
        runId != previousRun
      else {
        violation("the killed apply left no run of environment \(environment)")
        return
      }
      killed = (runId.rawValue, decisions)
      stats.update { $0.kills += 1 }
      return
    }
    // It ended before the kill: an apply like any other.
    stats.update { $0.killsTooLate += 1 }
    let status = try await waitForExit(process)
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    try await settle(status, output: output, decisions: decisions, prune: false)
  }

  /// Invariant 5: while the killed run is not resumed, another apply is refused and sends nothing.
  mutating func applyWhileKilled() async throws {
    guard let killed else { return }
    let before = try await posts()
    let refused = try await cli(["apply", "plan.yaml"])
    if refused.status != 2 {
      violation(
        "an apply while run \(killed.runId) is not resumed exited \(refused.status): \(refused.everything.suffix(1500))"
      )
    } else if !refused.everything.contains("being applied by run \(killed.runId)") {
      violation("the refusal does not name the killed run \(killed.runId): \(refused.everything.suffix(800))")
    }
    let sent = try await posts() - before
    if sent != 0 { violation("the refused apply sent \(sent) POSTs") }
    stats.update { $0.applies[refused.status, default: 0] += 1 }
  }

  mutating func resume() async throws {
    guard let killed else { return }
    self.killed = nil
    let outcome = try await cli(["apply", "plan.yaml", "--resume", killed.runId])
    try await settle(outcome.status, output: outcome.everything, decisions: killed.decisions, prune: false)
  }

  /// `plan --detailed-exitcode --output json` shows what the model decides, and exits 5 exactly
  /// when something would change.
  mutating func planCheck() async throws {
    let decisions = try await decisions()
    let outcome = try await cli(["plan", "plan.yaml", "--detailed-exitcode", "--output", "json"])
    let wanted: Int32 = decisions.values.contains { $0 != .noOp } ? 5 : 0
    if outcome.status != wanted {
      violation("plan exited \(outcome.status), the model expects \(wanted): \(outcome.everything.suffix(1500))")
      return
    }
    let stages = (try outcome.json()["stages"] as? [[String: Any]]) ?? []
    for (name, decision) in decisions {
      let action = stages.first { $0["stage"] as? String == name }?["action"] as? String
      if action != decision.rawValue {
        violation("plan shows stage \(name) as \(action ?? "nothing"), the model decides \(decision.rawValue)")
      }
    }
  }

  // MARK: Invariants

  /// Invariants 1, 4, 5 and 6, and the store and vRA agreeing with the model. Right after a
  /// SIGKILL (before the resume) only what must hold at any moment is checked.
  mutating func checkInvariants(afterKill: Bool) async throws {
    stats.update { $0.invariantChecks += 1 }
    guard FileManager.default.fileExists(atPath: database) else { return }
    let (record, applied, runStages) = try await withStore { store in
      let record = try await store.environment(environment)
      let applied = try await store.environmentStages(environment)
      var runStages: [StageRecord] = []
      if let runId = record?.activeRunId { runStages = try await store.stages(of: runId) }
      return (record, applied, runStages)
    }
    let live = try await deployments()
    let byName = Dictionary(grouping: live, by: \.name)
    for (name, group) in byName where group.count > 1 {
      violation("vRA holds \(group.count) deployments named \(name): \(group.compactMap(\.id))")
    }
    let stored = Dictionary(uniqueKeysWithValues: applied.map { ($0.applied.stage, $0.applied) })
    // 1. Each stage of the environment has its deployment, under its name, with its id.
    for stage in stored.values {
      let named = byName[deploymentName(stage.stage)] ?? []
      if let model = expected[stage.stage], model.deletedOutside {
        // Killed, the run may have been creating it again (one deployment, not yet known).
        if afterKill ? named.contains(where: { $0.id == model.deploymentId }) : !named.isEmpty {
          violation("\(deploymentName(stage.stage)) was deleted outside, yet vRA holds \(named.compactMap(\.id))")
        }
      } else if named.count != 1 || named.first?.id != stage.deploymentId {
        violation(
          "the environment has stage \(stage.stage) as \(stage.deploymentId); vRA holds \(named.compactMap(\.id)) "
            + "named \(deploymentName(stage.stage))")
      }
    }
    if !afterKill {
      for name in byName.keys where !stored.keys.contains(where: { deploymentName($0) == name }) {
        violation("vRA holds \(name), which the environment does not know")
      }
    }
    guard !afterKill else { return }

    // The store and vRA as the model says.
    if Set(stored.keys) != Set(expected.keys) {
      violation("the environment has stages \(stored.keys.sorted()), the model \(expected.keys.sorted())")
    }
    for (name, model) in expected.sorted(by: { $0.key < $1.key }) {
      guard let stage = stored[name] else { continue }
      if stage.deploymentId != model.deploymentId {
        violation("stage \(name) is stored as \(stage.deploymentId), the model has \(model.deploymentId)")
      }
      if stage.inputs != model.inputs {
        violation("stage \(name) is stored with inputs \(stage.inputs), the model has \(model.inputs)")
      }
      if stage.source.templateContent != model.kind.text(version: model.templateVersion) {
        violation(
          "stage \(name) is stored with another template than version \(model.templateVersion) of \(model.kind.template)"
        )
      }
      guard !model.deletedOutside, let deployment = live.first(where: { $0.id == model.deploymentId }) else { continue }
      let shown = (deployment.inputs ?? [:]).filter { model.vraInputs.keys.contains($0.key) }
      if shown != model.vraInputs {
        violation("vRA shows \(deploymentName(name)) with inputs \(shown), the model expects \(model.vraInputs)")
      }
      // 4. Never a duplicate update.
      let count = try await requests(of: model.deploymentId).count { $0.name == "Update" }
      if count != updates[model.deploymentId, default: 0] {
        violation(
          "vRA has \(count) Update requests on \(deploymentName(name)), the model expects \(updates[model.deploymentId, default: 0])"
        )
      }
    }
    // 5 and 6. The environment's run has ended, with nothing in flight.
    if let runId = record?.activeRunId {
      let run = try await withStore { try await $0.run(runId) }
      if let run, !run.status.isTerminal { violation("the environment's run \(runId) is still \(run.status)") }
      for stage in runStages where stage.status.isInFlight || stage.status == .rollingBack {
        violation("stage \(stage.name) of run \(runId) is left \(stage.status)")
      }
    }
  }

  // MARK: Reading vRA and the store

  func withStore<T: Sendable>(_ body: (SQLStateStore) async throws -> T) async throws -> T {
    let store = try await SQLStateStore.openSQLite(at: database)
    do {
      let value = try await body(store)
      try await store.close()
      return value
    } catch {
      try? await store.close()
      throw error
    }
  }

  /// The deployments named `<env>-...` in vRA.
  func deployments() async throws -> [Deployment] {
    try await session!.get("/deployment/api/deployments?search=\(environment)-&$top=1000")
      .decode(Page<Deployment>.self).content.filter { $0.name.hasPrefix(environment + "-") }
  }

  func requests(of deploymentId: String) async throws -> [DeploymentRequest] {
    try await session!.get("/deployment/api/deployments/\(deploymentId)/requests?$top=1000")
      .decode(Page<DeploymentRequest>.self).content
  }

  /// POSTs the simulator counted, logins aside: every request that creates or changes something.
  func posts() async throws -> Int {
    await harness.server.stats().requests.filter { $0.key.hasPrefix("POST ") && !$0.key.contains("login") }
      .values.flatMap(\.values).reduce(0, +)
  }

  func stageChanges(_ store: SQLStateStore, _ runId: RunID) async throws -> Int {
    try await store.events(of: runId).count { $0.kind == EventRecord.Kind.stageStatus }
  }

  func spawnApply(log: URL) throws -> Process {
    let process = Process()
    process.executableURL = try VRAEngineBinary.url
    process.arguments = ["apply", "plan.yaml"]
    process.currentDirectoryURL = directory
    process.environment = [
      "VRA_URL": harness.server.baseURL, "VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!",
      "VRA_DOMAIN": "vsphere.local", "VRA_ENGINE_LEASE_DURATION": "0.4", "VRA_ENGINE_LEASE_CHECK": "0.05",
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin", "HOME": directory.path,
    ]
    process.standardOutput = FileHandle.nullDevice
    FileManager.default.createFile(atPath: log.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: log)
    try process.run()
    return process
  }

  func waitForExit(_ process: Process) async throws -> Int32 {
    guard try await pollUntil(timeout: stepTimeout, { !process.isRunning }) else {
      process.terminate()
      throw PollTimeout(timeout: stepTimeout)
    }
    return process.terminationStatus
  }

  /// The environment as stored, its run's stages and vRA's deployments, for a failure message.
  func traceText() async throws -> String {
    var lines: [String] = []
    if FileManager.default.fileExists(atPath: database) {
      try await withStore { store in
        let record = try await store.environment(environment)
        lines.append("    environment \(environment): run \(record?.activeRunId?.rawValue ?? "-")")
        for state in try await store.environmentStages(environment) {
          let applied = state.applied
          lines.append(
            "    stored \(applied.stage): \(applied.deploymentId) inputs \(applied.inputs) by run \(applied.runId)")
        }
        if let runId = record?.activeRunId {
          if let run = try await store.run(runId) { lines.append("    run \(runId): \(run.status)") }
          for stage in try await store.stages(of: runId) {
            lines.append(
              "    run stage \(stage.name): \(stage.status) \(stage.operation?.rawValue ?? "-")"
                + (stage.error.map { " error: \($0.message)" } ?? ""))
          }
        }
      }
    }
    for deployment in try await deployments() {
      let updates = try await requests(of: deployment.id ?? "").map { "\($0.name):\($0.status?.rawValue ?? "?")" }
      lines.append(
        "    vRA \(deployment.name) \(deployment.id ?? "?") \(deployment.status?.rawValue ?? "?") inputs "
          + "\(deployment.inputs ?? [:]) requests \(updates)")
    }
    for (name, model) in expected.sorted(by: { $0.key < $1.key }) {
      lines.append(
        "    model \(name): \(model.deploymentId) inputs \(model.inputs) vRA \(model.vraInputs) template "
          + "v\(model.templateVersion) updates \(updates[model.deploymentId, default: 0])"
          + (model.deletedOutside ? " deleted outside" : "") + (model.driftOutside ? " drift" : ""))
    }
    return lines.joined(separator: "\n")
  }
}
