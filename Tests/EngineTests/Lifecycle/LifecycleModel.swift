import Engine
import RunState

/// The abstract model of the run lifecycle test: the plans (random DAGs), the events an operator
/// or the world applies to a run, and the generator of event sequences. Nothing here talks to the
/// engine; `LifecycleDriver` applies the events, `LifecycleInvariants` checks what they left.

/// A small deterministic generator (SplitMix64), so a seed replays a sequence exactly.
struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var value = state
    value = (value ^ (value >> 30)) &* 0xBF58_476C_E5B9_E5B9
    value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
    return value ^ (value >> 31)
  }

  mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
}

/// A day-2 action stage of a plan: `Deployment.EditTags` on the deployment of an earlier stage.
struct ActionShape: Sendable, Hashable {
  /// The action stage's index.
  var stage: Int
  /// The stage whose deployment it acts on (lower than `stage`): `action: {stage: sT}`.
  var target: Int
  /// Whether `dependsOn` also names the target (a redundant edge beside the action's own).
  var dependsOnTarget: Bool

  static let actionId = "Deployment.EditTags"
  /// The key of the tag the action sets (its value is the plan's tag).
  static let tagKey = "run"
}

/// A check stage of a plan (issue: check stages): it probes instead of deploying, after its parents.
/// Its first parent is a stage with a deployment (a deploying or the action stage) whose `outputs.id`
/// the check reads (a reference, so an edge); its other parents are `dependsOn`. The model breaks
/// and fixes it like a deploying stage, through an environment variable.
struct CheckShape: Sendable, Hashable {
  enum Kind: String, Sendable, Hashable {
    /// `test "$FAIL" != 1`, with `FAIL: ${env.FAIL_Si}` and the upstream id in its `env` (echoed,
    /// so the verdict's output shows what the reference resolved to).
    case command
    /// A GET of the simulator's open `/iaas/api/about` (`/iaas/api/projects`, 401 without a token,
    /// when broken), with the upstream id in the query.
    case http
  }

  /// The check stage's index.
  var stage: Int
  var kind: Kind
  /// Passes needed in a row.
  var times: Int

  /// Every check's limits: a passing check ends at its first attempts; a broken one after `timeout`.
  static let interval = "100ms"
  static let timeout = "2s"
  /// The environment variable holding the simulator's base URL (for http checks).
  static let simulatorVariable = "LIFECYCLE_SIMULATOR"
  /// The environment variable naming the path an http check of stage `index` GETs under /iaas/api/.
  static func pathVariable(_ index: Int) -> String { "CHECK_PATH_S\(index)" }
  /// The `/iaas/api/` path an http check GETs: open when fixed, needing a token when broken.
  static func path(broken: Bool) -> String { broken ? "projects" : "about" }
  /// What a command check prints before its verdict: the upstream id it was given.
  static let upstreamMarker = "upstream="
}

/// A plan of 3–8 stages whose dependencies form a random DAG (fan-in and fan-out); one of them may
/// be a day-2 action on an earlier stage's deployment instead of a deployment of its own, and one
/// or two may be checks (issue: check stages) that deploy nothing.
struct PlanShape: Sendable, Hashable, CustomStringConvertible {
  /// A tag unique to the sequence, the prefix of every deployment name its runs create.
  var tag: String
  var stageCount: Int
  /// `parents[i]`: the stages stage `i` depends on (all lower than `i`).
  var parents: [[Int]]
  var parallelism: Int
  var continueOnFailure: Bool
  var rollback: Bool
  var retries: Int
  /// The action stage, if the plan has one: `parents[action.stage]` starts with its target.
  var action: ActionShape? = nil
  /// The check stages, by index order.
  var checks: [CheckShape] = []

  var stages: [String] { (0..<stageCount).map(Self.name) }
  func isAction(_ index: Int) -> Bool { action?.stage == index }
  func isCheck(_ index: Int) -> Bool { checks.contains { $0.stage == index } }
  func check(_ index: Int) -> CheckShape? { checks.first { $0.stage == index } }
  /// The stages that deploy something (all but the action and check stages): the ones whose
  /// deployments vRA holds.
  var deployStages: [Int] { (0..<stageCount).filter { !isAction($0) && !isCheck($0) } }
  /// The stages a cause can break: the deploying ones and the checks.
  var breakableStages: [Int] { (0..<stageCount).filter { !isAction($0) } }
  /// The parent a stage reads `outputs.id` of (a reference): its first parent that is no check (a
  /// check's outputs are `attempts` and `exitStatus`/`status`). The others are `dependsOn`.
  func referencedParent(_ index: Int) -> Int? { parents[index].first { !isCheck($0) } }
  /// The stages that depend on `index`, directly or not.
  func descendants(of index: Int) -> Set<Int> {
    var found = Set<Int>()
    for stage in (index + 1)..<max(stageCount, index + 1)
    where parents[stage].contains(where: { $0 == index || found.contains($0) }) {
      found.insert(stage)
    }
    return found
  }
  static func name(_ index: Int) -> String { "s\(index)" }
  /// The environment variable that breaks stage `index` ("1") or not ("0").
  static func failVariable(_ index: Int) -> String { "FAIL_S\(index)" }

  /// The variables the plan reads, with the stages in `broken` broken: every stage's `FAIL_Si`
  /// ("1" or "0"), the simulator's base URL and each http check's path.
  func environment(broken: Set<Int>, simulator: String) -> [String: String] {
    var variables = Dictionary(
      uniqueKeysWithValues: (0..<stageCount).map { (Self.failVariable($0), broken.contains($0) ? "1" : "0") })
    variables[CheckShape.simulatorVariable] = simulator.hasSuffix("/") ? String(simulator.dropLast()) : simulator
    for check in checks where check.kind == .http {
      variables[CheckShape.pathVariable(check.stage)] = CheckShape.path(broken: broken.contains(check.stage))
    }
    return variables
  }

  /// The deployment name of stage `index` in run `runId`.
  func deploymentName(_ index: Int, runId: String) -> String { "\(tag)-\(runId)-\(Self.name(index))" }

  /// The plan file: every stage deploys `stage.yaml`; its first parent's output (the action stage's:
  /// a resource property) is one input (a reference, so also an edge) and the others are `dependsOn`. The action stage tags its target's
  /// deployment (the action's implicit edge); its other parents are `dependsOn`.
  var yaml: String {
    var lines = [
      "name: \(tag)",
      "defaults:",
      "  project: Development",
      "  parallelism: \(parallelism)",
      "  onFailure: \(continueOnFailure ? "continue" : "stop")",
      "  rollback: \(rollback ? "on-failure" : "none")",
      "  retries: \(retries)",
      "stages:",
    ]
    for index in 0..<stageCount {
      lines.append("  \(Self.name(index)):")
      if let action, action.stage == index {
        lines.append(
          "    action: {stage: \(Self.name(action.target)), id: \(ActionShape.actionId), "
            + "inputs: {tags: [{key: \(ActionShape.tagKey), value: \"\(tag)\"}]}}")
        let others = (action.dependsOnTarget ? parents[index] : Array(parents[index].dropFirst())).map(Self.name)
        if !others.isEmpty { lines.append("    dependsOn: [\(others.joined(separator: ", "))]") }
        continue
      }
      let reference = referencedParent(index)
      let others = parents[index].filter { $0 != reference }.map(Self.name)
      if let check = check(index) {
        lines.append(contentsOf: checkLines(check, reading: reference))
        if !others.isEmpty { lines.append("    dependsOn: [\(others.joined(separator: ", "))]") }
        continue
      }
      lines.append("    template: stage.yaml")
      lines.append("    deploymentName: \"\(tag)-${run.id}-\(Self.name(index))\"")
      var inputs = ["fail: \"${env.\(Self.failVariable(index))}\""]
      if let reference {
        // An action stage's outputs are its target deployment's after the action.
        inputs.append("upstream: \"${stages.\(Self.name(reference)).outputs.id}\"")
      }
      lines.append("    inputs: {\(inputs.joined(separator: ", "))}")
      if !others.isEmpty { lines.append("    dependsOn: [\(others.joined(separator: ", "))]") }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A check stage's `check:` (its stage's name line excluded), reading `reference`'s `outputs.id`.
  func checkLines(_ check: CheckShape, reading reference: Int?) -> [String] {
    let upstream = reference.map { "${stages.\(Self.name($0)).outputs.id}" } ?? "none"
    let settings: [String]
    switch check.kind {
    case .command:
      settings = [
        "run: 'echo \"\(CheckShape.upstreamMarker)$UP\"; test -n \"$UP\" && test \"$FAIL\" != 1'",
        "env: {FAIL: \"${env.\(Self.failVariable(check.stage))}\", UP: \"\(upstream)\"}",
      ]
    case .http:
      settings = [
        "url: \"${env.\(CheckShape.simulatorVariable)}/iaas/api/${env.\(CheckShape.pathVariable(check.stage))}"
          + "?\(CheckShape.upstreamMarker)\(upstream)\"",
        "expectStatus: 200",
      ]
    }
    let limits = ["times: \(check.times)", "interval: \(CheckShape.interval)", "timeout: \(CheckShape.timeout)"]
    return ["    check:", "      \(check.kind.rawValue):"] + (settings + limits).map { "        " + $0 }
  }

  /// One network; a second resource, `doomed`, exists only when `fail` is "1" and the simulator
  /// fails every resource named `doomed*`: flipping the variable breaks and fixes the stage.
  static let template = """
    formatVersion: 1
    inputs:
      fail: {type: string, default: '0'}
      upstream: {type: string, default: none}
    resources:
      net:
        type: Cloud.Network
        properties: {cidr: 10.0.0.0/24, name: '${input.upstream}'}
      doomed:
        type: Cloud.Network
        properties: {count: '${input.fail}', cidr: 10.9.0.0/24}
    outputs:
      id: {value: '${resource.net.id}'}
    """

  var description: String {
    let edges = (0..<stageCount).map { index in
      let name =
        if isAction(index) {
          "s\(index)=EditTags(s\(parents[index][0]))"
        } else if let check = check(index) {
          "s\(index)=check:\(check.kind.rawValue)\(check.times > 1 ? "x\(check.times)" : "")"
            + "(s\(referencedParent(index).map(String.init) ?? "-"))"
        } else {
          "s\(index)"
        }
      return parents[index].isEmpty ? name : "\(name)<-[\(parents[index].map(Self.name).joined(separator: ","))]"
    }
    return "\(stageCount) stages {\(edges.joined(separator: " "))} parallelism \(parallelism), "
      + "onFailure \(continueOnFailure ? "continue" : "stop"), rollback \(rollback ? "on-failure" : "none"), "
      + "retries \(retries)" + (action.map { $0.dependsOnTarget ? ", action's target also in dependsOn" : "" } ?? "")
  }
}

/// How a run (start or resume) is interrupted. `after`: how many stage status changes the run
/// makes before the interruption is applied (it may end before: then it is not interrupted).
enum Interruption: Sendable, Hashable, CustomStringConvertible {
  case none
  /// Ctrl-C: the task running `Orchestrator.run` is cancelled.
  case ctrlC(after: Int)
  /// `vra-engine cancel` from another process (a second store instance) while the owner runs.
  case cancelFromOther(after: Int)
  /// The owner stalls (stops renewing its lease); a second process takes the run over. The
  /// in-process stand-in for a crash: the first must stop with `leaseLost` and write nothing more.
  case takeover(after: Int)
  /// A real `vra-engine apply --resume` process killed with SIGKILL.
  case sigkill(after: Int)

  var description: String {
    switch self {
    case .none: "to its end"
    case .ctrlC(let after): "Ctrl-C after \(after) stage changes"
    case .cancelFromOther(let after): "cancel from another process after \(after) stage changes"
    case .takeover(let after): "owner stalls, lease taken over after \(after) stage changes"
    case .sigkill(let after): "real process SIGKILLed after \(after) stage changes"
    }
  }
}

/// One step of a sequence.
enum LifecycleEvent: Sendable, Hashable, CustomStringConvertible {
  /// The cause of a stage's failure appears: its next provisioning fails.
  case breakStage(Int)
  /// Every cause is fixed.
  case fix
  /// `run(id)` from a new store instance (a start, a resume, a retry), maybe interrupted.
  case run(Interruption)
  /// `RunCanceller` on a run nobody owns.
  case cancelUnowned
  /// `RunDestroyer.destroy`.
  case destroy

  var description: String {
    switch self {
    case .breakStage(let index): "break s\(index)"
    case .fix: "fix every cause"
    case .run(let interruption): "run/resume (\(interruption))"
    case .cancelUnowned: "cancel (nobody owns the run)"
    case .destroy: "destroy"
    }
  }
}

struct LifecycleSequence: Sendable, CustomStringConvertible {
  var index: Int
  var seed: UInt64
  var plan: PlanShape
  var events: [LifecycleEvent]

  var description: String {
    "sequence \(index) (LIFECYCLE_SEED=\(seed) LIFECYCLE_ONLY=\(index)): plan \(plan)\n"
      + events.enumerated().map { "  \($0.offset + 1). \($0.element)" }.joined(separator: "\n")
  }
}

/// Generates sequences. The abstract state it keeps (is the run owned, orphaned, destroyed; what
/// is broken) only biases the choice of events; every event is legal in every state, and the
/// driver computes each event's expected outcome from the state the run really is in.
enum LifecycleGenerator {
  enum Phase { case idle, orphaned, destroyed }

  /// Sequence `index` of the run seeded `seed`; `killShare` of the sequences have one SIGKILL.
  static func sequence(_ index: Int, seed: UInt64, killShare: Double) -> LifecycleSequence {
    var random = SeededGenerator(seed: seed &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
    let plan = plan(index, using: &random)
    var events: [LifecycleEvent] = []
    var phase = Phase.idle
    var broken = Set<Int>()
    var killed = !random.chance(killShare)  // true: this sequence has no (more) kill
    let maximumAfter = 2 * plan.stageCount + 2

    func interruption(_ random: inout SeededGenerator) -> Interruption {
      let after = Int.random(in: 0...maximumAfter, using: &random)
      if !killed, random.chance(0.5) {
        killed = true
        return .sigkill(after: after)
      }
      switch Int.random(in: 0..<100, using: &random) {
      case 0..<35: return .none
      case 35..<55: return .ctrlC(after: after)
      case 55..<75: return .cancelFromOther(after: after)
      default: return .takeover(after: after)
      }
    }

    if random.chance(0.4) {
      let stage = breakTarget(plan, using: &random)
      events.append(.breakStage(stage))
      broken.insert(stage)
    }
    let length = Int.random(in: 3...6, using: &random)
    while events.count < length {
      switch phase {
      case .destroyed:
        events.append(random.chance(0.5) ? .run(.none) : .destroy)
        events.append(.destroy)
        return LifecycleSequence(index: index, seed: seed, plan: plan, events: events)
      case .idle, .orphaned:
        let roll = Int.random(in: 0..<100, using: &random)
        if roll < 50 || events.isEmpty {
          let next = interruption(&random)
          events.append(.run(next))
          if case .takeover = next {
            phase = .orphaned
          } else if case .sigkill = next {
            phase = .orphaned
          } else {
            phase = .idle
          }
        } else if roll < 62 {
          let stage = breakTarget(plan, using: &random)
          events.append(.breakStage(stage))
          broken.insert(stage)
        } else if roll < 77, !broken.isEmpty {
          events.append(.fix)
          broken = []
        } else if roll < 90 {
          events.append(.cancelUnowned)
          phase = .idle
        } else {
          events.append(.destroy)
          phase = .destroyed
        }
      }
    }
    // Most sequences end as an operator would: fix the cause, resume to the end, destroy.
    if phase != .destroyed && random.chance(0.7) {
      if !broken.isEmpty { events.append(.fix) }
      events.append(.run(.none))
    }
    if phase != .destroyed { events.append(.destroy) }
    return LifecycleSequence(index: index, seed: seed, plan: plan, events: events)
  }

  /// The stage a `break` event breaks. When the plan has checks: a check a third of the time (a
  /// plan has many more deploying stages), and as often a deploying stage no check waits for, so a
  /// check passes in a run that fails (a rollback or destroy has a passed check to undo, a resume
  /// one not to run again); else any stage a cause can break.
  static func breakTarget(_ plan: PlanShape, using random: inout SeededGenerator) -> Int {
    if !plan.checks.isEmpty {
      let roll = Int.random(in: 0..<100, using: &random)
      if roll < 35 { return plan.checks.randomElement(using: &random)!.stage }
      let beside = plan.deployStages.filter { stage in
        plan.checks.allSatisfy { !plan.descendants(of: stage).contains($0.stage) }
      }
      if roll < 70, let stage = beside.randomElement(using: &random) { return stage }
    }
    return plan.breakableStages.randomElement(using: &random)!
  }

  /// 3–8 stages, small ones most often; each stage depends on 0–3 earlier ones. Half the plans turn
  /// one stage (not the first) into an action on an earlier stage's deployment; it keeps its other
  /// parents, and later stages may depend on it.
  static func plan(_ index: Int, using random: inout SeededGenerator) -> PlanShape {
    let sizes = [3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8]
    let count = sizes[Int.random(in: 0..<sizes.count, using: &random)]
    var parents: [[Int]] = [[]]
    for stage in 1..<count {
      let wanted = min(stage, [0, 1, 1, 1, 2, 2, 3][Int.random(in: 0..<7, using: &random)])
      var chosen = Set<Int>()
      while chosen.count < wanted { chosen.insert(Int.random(in: 0..<stage, using: &random)) }
      parents.append(chosen.sorted().shuffled(using: &random))
    }
    var shape = PlanShape(
      tag: "lc\(index)", stageCount: count, parents: parents, parallelism: Int.random(in: 1...4, using: &random),
      continueOnFailure: random.chance(0.3), rollback: random.chance(0.3), retries: random.chance(0.2) ? 1 : 0)
    if random.chance(0.5) {
      let stage = Int.random(in: 1..<count, using: &random)
      let target = Int.random(in: 0..<stage, using: &random)
      shape.parents[stage] = [target] + shape.parents[stage].filter { $0 != target }
      shape.action = ActionShape(stage: stage, target: target, dependsOnTarget: random.chance(0.25))
    }
    if random.chance(0.5) { addChecks(to: &shape, using: &random) }
    return shape
  }

  /// Turns one or two stages (not the first, the action stage or its target) into checks. Each gets
  /// a parent with a deployment to read (its first), and most often a later deploying stage that
  /// depends on it (`dependsOn`), so a check sits between deployed stages: a failed check skips
  /// what follows it, and a rollback or destroy crosses it.
  static func addChecks(to shape: inout PlanShape, using random: inout SeededGenerator) {
    let candidates = (1..<shape.stageCount).filter { $0 != shape.action?.stage && $0 != shape.action?.target }
    let wanted = shape.stageCount >= 5 && random.chance(0.35) ? 2 : 1
    let chosen = candidates.shuffled(using: &random).prefix(wanted).sorted()
    for stage in chosen {
      shape.checks.append(
        CheckShape(
          stage: stage, kind: random.chance(0.3) ? .http : .command, times: random.chance(0.25) ? 2 : 1))
    }
    for stage in chosen {
      // Its reference: a parent with a deployment (stage 0 always has one), first in its parents.
      let readable = shape.parents[stage].filter { !shape.isCheck($0) }
      let reference =
        readable.isEmpty
        ? (0..<stage).filter { !shape.isCheck($0) }.randomElement(using: &random)! : readable[0]
      shape.parents[stage] = [reference] + shape.parents[stage].filter { $0 != reference }
      // A later deploying stage waits for it.
      let later = ((stage + 1)..<max(shape.stageCount, stage + 1)).filter {
        !shape.isAction($0) && !shape.isCheck($0) && !shape.parents[$0].contains(stage)
      }
      if let next = later.randomElement(using: &random), random.chance(0.75) {
        shape.parents[next].append(stage)
      }
    }
  }
}

/// What the model expects of a run, independently of the engine's tables.
enum LifecycleExpectation {
  /// Whether `run(id)` may work on a run in `status` (else it refuses with `RunRefusal`).
  static func resumable(_ status: RunStatus) -> Bool {
    switch status {
    case .pending, .running, .submitted, .failed, .cancelling, .cancelled: true
    case .succeeded, .destroying, .destroyed, .destroyFailed: false
    }
  }

  /// How an uninterrupted run ends: it re-runs every stage that did not succeed, so it succeeds
  /// exactly when none of those is broken.
  static func naturalEnd(stages: [String: StageStatus], broken: Set<String>) -> RunStatus {
    stages.contains { $0.value != .succeeded && broken.contains($0.key) } ? .failed : .succeeded
  }

  /// Stage statuses in which vRA may be working on the stage's request.
  static func inFlight(_ status: StageStatus) -> Bool { [.submitting, .submitted, .running].contains(status) }

  /// Run statuses in which a process must be working on the run.
  static func active(_ status: RunStatus) -> Bool { [.running, .cancelling, .destroying].contains(status) }
}
