import Foundation

/// The abstract side of the service's model-based lifecycle test: tenants, plans, the events a
/// sequence applies and the generator of sequences. Nothing here talks to the service;
/// `ServeModelDriver` applies the events and checks the invariants.

/// A small deterministic generator (SplitMix64), so a seed replays a sequence's events exactly.
struct ServeModelRandom: RandomNumberGenerator {
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
  mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &self) }
}

/// The two tenants of `ServeFixture`, each in its own org of the simulator.
enum ModelTenant: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case a, b

  var fixture: ServeFixture.Tenant { self == .a ? ServeFixture.teamA : ServeFixture.teamB }
  var other: ModelTenant { self == .a ? .b : .a }
  var description: String { self == .a ? "A" : "B" }
}

/// What a stage deploys: a quick network, a slower machine (so cancels and kills find it in
/// flight), or a template with a resource the simulator fails (`fail-*`, faults enabled).
enum StageTemplate: String, Sendable, Hashable, CaseIterable {
  case quick, slow, failing

  var file: String { "templates/\(rawValue).yaml" }

  var text: String {
    switch self {
    case .quick:
      """
      formatVersion: 1
      resources:
        net:
          type: Cloud.Network
          properties: {cidr: 10.0.0.0/24}
      """
    case .slow:
      """
      formatVersion: 1
      resources:
        vm:
          type: Cloud.Machine
          properties: {image: ubuntu, flavor: small}
      """
    case .failing:
      """
      formatVersion: 1
      resources:
        net:
          type: Cloud.Network
          properties: {cidr: 10.0.0.0/24}
        fail-net:
          type: Cloud.Network
          properties: {cidr: 10.9.0.0/24}
      """
    }
  }
}

/// A plan of one or two stages. Every deployment is named `sm-<run id>-s<N>`, so a deployment in
/// the simulator names the run and stage it belongs to.
struct PlanSpec: Sendable, Hashable, CustomStringConvertible {
  var stages: [StageTemplate]
  /// The second stage depends on the first.
  var chained: Bool
  /// The plan's name (`model-v<variant>`): bodies of the same shape differ by it.
  var variant: Int

  /// How the run ends when nothing stops it: failed exactly when a stage's template fails.
  var naturalEnd: String { stages.contains(.failing) ? "failed" : "succeeded" }

  static func deploymentName(run: String, stage: Int) -> String { "sm-\(run)-s\(stage)" }

  /// The run a deployment name belongs to, nil for a name this test does not make.
  static func run(ofDeployment name: String) -> String? {
    let parts = name.split(separator: "-")
    guard parts.count == 3, parts[0] == "sm" else { return nil }
    return String(parts[1])
  }

  func yaml(project: String) -> String {
    var lines = ["name: model-v\(variant)", "defaults: {project: \(project)}", "stages:"]
    for (index, template) in stages.enumerated() {
      var line = "  s\(index): {template: \(template.file), deploymentName: \"sm-${run.id}-s\(index)\""
      if index > 0 && chained { line += ", dependsOn: [s0]" }
      lines.append(line + "}")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  var files: [String: String] {
    Dictionary(stages.map { ($0.file, $0.text) }, uniquingKeysWith: { first, _ in first })
  }

  /// The same shape under another name: a different request body.
  var another: PlanSpec {
    var copy = self
    copy.variant += 1000
    return copy
  }

  var description: String {
    "[\(stages.map(\.rawValue).joined(separator: chained ? " -> " : " | "))] v\(variant)"
  }
}

/// The Idempotency-Key a submission sends.
enum KeyChoice: Sendable, Hashable, CustomStringConvertible {
  case none
  case fresh
  /// A key of one of the tenant's earlier accepted submissions (`slot` modulo how many), with its
  /// body (the same run answers) or another body (422). No such key yet: a fresh one.
  case reuse(slot: Int, sameBody: Bool)
  /// A key the other tenant used: keys are per tenant, so this is a new run.
  case otherTenants(slot: Int)
  /// A key of one of the tenant's refused submissions: nothing was recorded for it, so a new run.
  case afterRefusal(slot: Int)

  var description: String {
    switch self {
    case .none: "no key"
    case .fresh: "a fresh key"
    case .reuse(let slot, let same): "reusing key #\(slot) with \(same ? "the same" : "a different") body"
    case .otherTenants(let slot): "the other tenant's key #\(slot)"
    case .afterRefusal(let slot): "the key #\(slot) of a refused submission"
    }
  }
}

/// Why a submission is refused before anything is recorded.
enum Refusal: Sendable, Hashable {
  /// `X-Project` names the other tenant's project: 403.
  case forbiddenProject
  /// A reference to a stage the plan lacks: 422 invalid-plan.
  case invalidPlan
}

/// The run quota the service is started with.
enum Quota: Sendable, Hashable, CustomStringConvertible {
  case normal, squeezed

  var maxConcurrentRuns: Int { self == .normal ? 5 : 1 }
  var maxQueuedRuns: Int { self == .normal ? 20 : 2 }
  var description: String {
    "maxConcurrentRuns \(maxConcurrentRuns), maxQueuedRuns \(maxQueuedRuns)"
  }
}

/// One step of a sequence.
enum ServeModelEvent: Sendable, Hashable, CustomStringConvertible {
  case submit(ModelTenant, PlanSpec, KeyChoice)
  /// One fresh key and body sent `copies` times at once (a CI job's retries racing each other).
  case submitConcurrently(ModelTenant, PlanSpec, copies: Int)
  /// A submission cancelled as soon as it is answered (a pipeline aborted right after it submitted).
  case submitThenCancel(ModelTenant, PlanSpec)
  case submitRefused(ModelTenant, Refusal, keyed: Bool)
  /// `count` slow runs with fresh keys back to back (a pipeline's fan-out: with the quota squeezed
  /// the queue fills up), then the first again with its key (a CI retry): the same run, quota or not.
  case fanOutThenRetry(ModelTenant, count: Int)
  /// Cancel the run `pick` (modulo the runs so far), by its tenant or with the other tenant's token.
  case cancel(pick: Int, wrongTenant: Bool)
  case destroy(pick: Int, wrongTenant: Bool)
  /// Wait (bounded) until every run has finished.
  case settle
  /// Graceful shutdown, then start again over the same state and simulator with `Quota`.
  case restart(Quota)
  /// SIGKILL the `vra-engine serve` process (once a stage is in flight when `inFlight`), start again.
  case kill(inFlight: Bool)

  var kind: String {
    switch self {
    case .submit(_, _, let key):
      switch key {
      case .none, .fresh: "submit"
      case .reuse(_, true): "submit, key reused, same body"
      case .reuse(_, false): "submit, key reused, other body"
      case .otherTenants: "submit, other tenant's key"
      case .afterRefusal: "submit, refused submission's key"
      }
    case .submitConcurrently: "submit concurrently, one key"
    case .submitThenCancel: "submit then cancel at once"
    case .submitRefused: "submit refused"
    case .fanOutThenRetry: "fan-out, then a keyed retry"
    case .cancel(_, false): "cancel"
    case .cancel(_, true): "cancel, wrong tenant"
    case .destroy(_, false): "destroy"
    case .destroy(_, true): "destroy, wrong tenant"
    case .settle: "settle"
    case .restart(.squeezed): "graceful restart, quota squeezed"
    case .restart(.normal): "graceful restart"
    case .kill: "SIGKILL and restart"
    }
  }

  var description: String {
    switch self {
    case .submit(let tenant, let plan, let key): "submit \(plan) as \(tenant), \(key)"
    case .submitConcurrently(let tenant, let plan, let copies):
      "submit \(plan) as \(tenant) \(copies) times at once with one fresh key"
    case .submitThenCancel(let tenant, let plan): "submit \(plan) as \(tenant), cancel as soon as answered"
    case .submitRefused(let tenant, let refusal, let keyed):
      "submit as \(tenant) \(refusal == .forbiddenProject ? "into the other tenant's project" : "an invalid plan")"
        + (keyed ? " with a fresh key" : "")
    case .fanOutThenRetry(let tenant, let count):
      "submit \(count) slow runs as \(tenant) with fresh keys, then the first again with its key"
    case .cancel(let pick, let wrong): "cancel run #\(pick)" + (wrong ? " with the other tenant's token" : "")
    case .destroy(let pick, let wrong): "destroy run #\(pick)" + (wrong ? " with the other tenant's token" : "")
    case .settle: "settle (wait until every run finished)"
    case .restart(let quota): "graceful restart with \(quota)"
    case .kill(let inFlight): "SIGKILL the serve process" + (inFlight ? " once a stage is in flight" : "") + ", restart"
    }
  }
}

struct ServeModelSequence: Sendable, CustomStringConvertible {
  var index: Int
  var seed: UInt64
  /// The service is a real `vra-engine serve` process (SIGKILL possible), else in-process.
  var usesProcess: Bool
  var events: [ServeModelEvent]

  var description: String {
    "sequence \(index) (SERVE_MODEL_SEED=\(seed) SERVE_MODEL_ONLY=\(index)), "
      + "\(usesProcess ? "the vra-engine serve process" : "in-process service"):\n"
      + events.enumerated().map { "  \($0.offset + 1). \($0.element)" }.joined(separator: "\n")
  }
}

enum ServeModelGenerator {
  /// Every `processEvery`-th sequence runs the real process (and SIGKILLs it at least once).
  static let processEvery = 5

  static func sequence(_ index: Int, seed: UInt64) -> ServeModelSequence {
    var random = ServeModelRandom(seed: seed &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
    let usesProcess = index % processEvery == processEvery - 1
    let length = Int.random(in: 12...18, using: &random)
    var events: [ServeModelEvent] = []
    var squeezed = false
    var submissions = 0

    func plan(_ random: inout ServeModelRandom) -> PlanSpec {
      let count = random.chance(0.5) ? 1 : 2
      let stages = (0..<count).map { _ in
        switch random.below(10) {
        case 0..<5: StageTemplate.quick
        case 5..<8: StageTemplate.slow
        default: StageTemplate.failing
        }
      }
      let chained = random.chance(0.6)
      return PlanSpec(stages: stages, chained: chained && count > 1, variant: random.below(4))
    }
    func tenant(_ random: inout ServeModelRandom) -> ModelTenant { random.chance(0.5) ? .a : .b }

    while events.count < length {
      let roll = random.below(100)
      if submissions == 0 || roll < 28 {
        let key: KeyChoice
        switch random.below(100) {
        case 0..<30: key = .none
        case 30..<62: key = .fresh
        case 62..<78: key = .reuse(slot: random.below(8), sameBody: true)
        case 78..<90: key = .reuse(slot: random.below(8), sameBody: false)
        case 90..<95: key = .otherTenants(slot: random.below(8))
        default: key = .afterRefusal(slot: random.below(4))
        }
        events.append(.submit(tenant(&random), plan(&random), key))
        submissions += 1
      } else if roll < 34 {
        events.append(.submitConcurrently(tenant(&random), plan(&random), copies: 2 + random.below(3)))
        submissions += 1
      } else if roll < 41 {
        events.append(.submitThenCancel(tenant(&random), plan(&random)))
        submissions += 1
      } else if roll < 46 && random.chance(0.5) {
        events.append(.fanOutThenRetry(tenant(&random), count: 3 + random.below(2)))
        submissions += 1
      } else if roll < 46 {
        events.append(
          .submitRefused(
            tenant(&random), random.chance(0.5) ? .forbiddenProject : .invalidPlan, keyed: random.chance(0.7)))
      } else if roll < 62 {
        events.append(.cancel(pick: random.below(64), wrongTenant: random.chance(0.2)))
      } else if roll < 76 {
        events.append(.destroy(pick: random.below(64), wrongTenant: random.chance(0.15)))
      } else if roll < 84 {
        events.append(.settle)
      } else if roll < 92 || !usesProcess {
        let quota: Quota =
          squeezed ? (random.chance(0.6) ? .normal : .squeezed) : (random.chance(0.4) ? .squeezed : .normal)
        squeezed = quota == .squeezed
        events.append(.restart(quota))
      } else {
        events.append(.kill(inFlight: random.chance(0.7)))
      }
    }
    // A process sequence SIGKILLs at least once, after its first submission.
    if usesProcess && !events.contains(where: { if case .kill = $0 { true } else { false } }) {
      events.insert(.kill(inFlight: true), at: 1 + random.below(events.count - 1))
    }
    return ServeModelSequence(index: index, seed: seed, usesProcess: usesProcess, events: events)
  }
}
