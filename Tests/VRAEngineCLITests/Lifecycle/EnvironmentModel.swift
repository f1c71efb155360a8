import Foundation
import VRAModels

/// The abstract model of the environment lifecycle test: the plans (a few network stages and
/// machine stages reading a network's id), the events an operator or the world applies to an
/// environment, and the seeded generator of event sequences. Nothing here talks to the engine;
/// `EnvironmentDriver` applies the events and checks what they left.

/// A small deterministic generator (SplitMix64), so a seed replays a sequence exactly.
struct EnvironmentRandom: RandomNumberGenerator {
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

  mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &self)] }
}

/// The two kinds of stage: a network (input `cidr`, output `id`) and a machine on a network
/// (inputs `network`, read from a network stage's output, and `size`).
enum EnvironmentStageKind: String, Sendable, Hashable, CaseIterable {
  case net, app

  var template: String { "\(rawValue).yaml" }
  /// The literal input the plan sets.
  var literal: String { self == .net ? "cidr" : "size" }
  var values: [String] { self == .net ? ["10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"] : ["small", "medium", "large"] }

  /// The template's text at `version`: each version tags the resource differently (an update in
  /// place of that resource, same id).
  func text(version: Int) -> String {
    switch self {
    case .net:
      """
      formatVersion: 1
      inputs:
        cidr: {type: string}
      resources:
        net:
          type: Cloud.Network
          properties: {cidr: '${input.cidr}', tag: 'v\(version)'}
      outputs:
        id: {value: '${resource.net.id}'}
      """
    case .app:
      """
      formatVersion: 1
      inputs:
        network: {type: string}
        size: {type: string, default: small}
      resources:
        vm:
          type: Cloud.Machine
          properties: {image: ubuntu, flavor: '${input.size}', tag: 'v\(version)', networks: [{network: '${input.network}'}]}
      outputs:
        address: {value: '${resource.vm.address}'}
      """
    }
  }
}

/// One stage of the plan as the plan file says it.
struct EnvironmentStageSpec: Sendable, Hashable, CustomStringConvertible {
  var name: String
  var kind: EnvironmentStageKind
  /// The literal input's value (`cidr` or `size`).
  var value: String
  /// The network stage a machine stage reads (`${stages.U.outputs.id}`).
  var upstream: String?

  var yaml: String {
    switch kind {
    case .net: "  \(name): {template: net.yaml, inputs: {cidr: \"\(value)\"}}"
    case .app:
      "  \(name): {template: app.yaml, inputs: {network: \"${stages.\(upstream!).outputs.id}\", size: \(value)}}"
    }
  }

  var description: String {
    kind == .net ? "\(name)(net \(value))" : "\(name)(app \(value) on \(upstream!))"
  }
}

/// One step of a sequence.
enum EnvironmentEvent: Sendable, Hashable, CustomStringConvertible {
  /// The plan's literal input of a stage changes.
  case changeInput(stage: String, value: String)
  /// A template's text changes (a tag property): every stage using it is to be updated.
  case changeTemplate(EnvironmentStageKind)
  case addStage(EnvironmentStageSpec)
  case removeStage(String)
  /// `apply plan.yaml` (in process), with `--prune` or not.
  case apply(prune: Bool)
  /// The simulator fails every update of the stage's deployment from now on.
  case failUpdates(stage: String)
  case clearFailures
  /// Someone deletes the stage's deployment in vRA.
  case deleteOutside(stage: String)
  /// Someone updates the stage's deployment in vRA with another value of its literal input.
  case updateOutside(stage: String)
  /// A real `apply` process SIGKILLed `after` stage status changes after it sent its first request.
  case killedApply(after: Int)
  /// `apply plan.yaml` while the killed run is not resumed: refused (exit 2), nothing sent.
  case applyWhileKilled
  /// `apply plan.yaml --resume RUN_ID` of the killed run.
  case resume
  /// `plan --detailed-exitcode --output json`.
  case plan

  var description: String {
    switch self {
    case .changeInput(let stage, let value): "change \(stage)'s input to \(value)"
    case .changeTemplate(let kind): "change template \(kind.template)"
    case .addStage(let spec): "add stage \(spec)"
    case .removeStage(let stage): "remove stage \(stage) from the plan"
    case .apply(let prune): prune ? "apply --prune" : "apply"
    case .failUpdates(let stage): "make updates of \(stage) fail"
    case .clearFailures: "updates no longer fail"
    case .deleteOutside(let stage): "delete \(stage)'s deployment outside"
    case .updateOutside(let stage): "update \(stage)'s deployment outside"
    case .killedApply(let after): "apply (real process) SIGKILLed \(after) stage changes after its first request"
    case .applyWhileKilled: "apply while the killed run is not resumed"
    case .resume: "apply --resume the killed run"
    case .plan: "plan --detailed-exitcode --output json"
    }
  }

  /// The kind of event, for the statistics.
  var kind: String {
    switch self {
    case .changeInput: "change input"
    case .changeTemplate: "change template"
    case .addStage: "add stage"
    case .removeStage: "remove stage"
    case .apply(let prune): prune ? "apply --prune" : "apply"
    case .failUpdates: "fail updates"
    case .clearFailures: "clear failures"
    case .deleteOutside: "delete outside"
    case .updateOutside: "update outside"
    case .killedApply: "killed apply"
    case .applyWhileKilled: "apply while killed"
    case .resume: "resume"
    case .plan: "plan"
    }
  }
}

struct EnvironmentSequence: Sendable, CustomStringConvertible {
  var index: Int
  var seed: UInt64
  /// The environment's name, also the prefix of its deployments (`<env>-<stage>`).
  var environment: String
  /// `rollback: on-failure` (else `none`).
  var rollback: Bool
  var stages: [EnvironmentStageSpec]
  var events: [EnvironmentEvent]

  var description: String {
    "sequence \(index) (ENV_MODEL_SEED=\(seed) ENV_MODEL_ONLY=\(index)): environment \(environment), rollback "
      + "\(rollback ? "on-failure" : "none"), plan \(stages.map(\.description).joined(separator: " "))\n"
      + events.enumerated().map { "  \($0.offset + 1). \($0.element)" }.joined(separator: "\n")
  }
}

/// The plan file of a set of stages.
enum EnvironmentPlanFile {
  static func yaml(environment: String, rollback: Bool, stages: [EnvironmentStageSpec]) -> String {
    var lines = [
      "name: envmodel",
      "environment: \(environment)",
      "defaults:",
      "  project: Development",
      "  parallelism: 1",
      "  onFailure: stop",
      "  rollback: \(rollback ? "on-failure" : "none")",
      "  retries: 0",
      "stages:",
    ]
    lines += stages.map(\.yaml)
    return lines.joined(separator: "\n") + "\n"
  }
}

/// Generates sequences. It keeps the plan (to name valid stages and values) and whether updates
/// fail (a kill is only generated while none does: the resumed run's update count is then exact);
/// what the environment really holds is for the driver to find out.
enum EnvironmentGenerator {
  static let maximumStages = 5

  static func sequence(_ index: Int, seed: UInt64) -> EnvironmentSequence {
    var random = EnvironmentRandom(seed: seed &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
    let rollback = random.chance(0.5)
    var next = 0
    func newName() -> String {
      defer { next += 1 }
      return "s\(next)"
    }
    var stages = [
      EnvironmentStageSpec(name: newName(), kind: .net, value: random.pick(EnvironmentStageKind.net.values))
    ]
    for _ in 1..<Int.random(in: 2...4, using: &random) {
      stages.append(newStage(name: newName(), stages: stages, using: &random))
    }
    let initial = stages
    var removed: [EnvironmentStageSpec] = []
    var failing: String?
    var events: [EnvironmentEvent] = [.apply(prune: false)]

    func readers(of name: String) -> Bool { stages.contains { $0.upstream == name } }
    func anyStage(_ random: inout EnvironmentRandom) -> String {
      random.pick(stages.map(\.name) + removed.map(\.name))
    }

    let length = Int.random(in: 10...14, using: &random)
    while events.count < length {
      switch Int.random(in: 0..<100, using: &random) {
      case 0..<16:
        let position = Int.random(in: 0..<stages.count, using: &random)
        let value = random.pick(stages[position].kind.values.filter { $0 != stages[position].value })
        stages[position].value = value
        events.append(.changeInput(stage: stages[position].name, value: value))
      case 16..<23:
        events.append(.changeTemplate(random.pick(Array(Set(stages.map(\.kind))).sorted { $0.rawValue < $1.rawValue })))
      case 23..<29 where stages.count < maximumStages:
        var spec: EnvironmentStageSpec
        if !removed.isEmpty, random.chance(0.4) {
          spec = removed.remove(at: Int.random(in: 0..<removed.count, using: &random))
          if spec.kind == .app, let upstream = spec.upstream, !stages.contains(where: { $0.name == upstream }) {
            spec.upstream = stages.filter { $0.kind == .net }.map(\.name).first
            if spec.upstream == nil { spec = EnvironmentStageSpec(name: spec.name, kind: .net, value: spec.value) }
            if spec.kind == .net { spec.value = random.pick(EnvironmentStageKind.net.values) }
          }
        } else {
          spec = newStage(name: newName(), stages: stages, using: &random)
        }
        stages.append(spec)
        events.append(.addStage(spec))
      case 29..<34:
        let candidates = stages.filter { !readers(of: $0.name) }
        guard stages.count > 1, !candidates.isEmpty else { continue }
        let gone = random.pick(candidates)
        stages.removeAll { $0.name == gone.name }
        removed.append(gone)
        events.append(.removeStage(gone.name))
      case 34..<52:
        events.append(.apply(prune: false))
      case 52..<57:
        events.append(.apply(prune: true))
        removed = []
      case 57..<63:
        let position = Int.random(in: 0..<stages.count, using: &random)
        let stage = stages[position].name
        failing = stage
        events.append(.failUpdates(stage: stage))
        // Most often the failing stage is then changed and applied: its update fails.
        if random.chance(0.7) {
          let value = random.pick(stages[position].kind.values.filter { $0 != stages[position].value })
          stages[position].value = value
          events.append(.changeInput(stage: stage, value: value))
          if random.chance(0.6) { events.append(.apply(prune: false)) }
        }
      case 63..<67 where failing != nil:
        failing = nil
        events.append(.clearFailures)
      case 67..<71:
        events.append(.deleteOutside(stage: anyStage(&random)))
      case 71..<78:
        events.append(.updateOutside(stage: anyStage(&random)))
      case 78..<88 where failing == nil:
        // Something to send, so the kill finds a request in flight.
        let position = Int.random(in: 0..<stages.count, using: &random)
        let value = random.pick(stages[position].kind.values.filter { $0 != stages[position].value })
        stages[position].value = value
        events.append(.changeInput(stage: stages[position].name, value: value))
        events.append(.killedApply(after: Int.random(in: 0...3, using: &random)))
        if random.chance(0.6) { events.append(.applyWhileKilled) }
        events.append(.resume)
      case 88..<100:
        events.append(.plan)
      default:
        continue
      }
    }
    // As an operator ends: the cause fixed, everything converged and pruned, then checked.
    if failing != nil { events.append(.clearFailures) }
    events.append(.apply(prune: true))
    events.append(.plan)
    return EnvironmentSequence(
      index: index, seed: seed, environment: "em\(index)", rollback: rollback, stages: initial, events: events)
  }

  /// A network stage, or (more often, when there is a network) a machine stage on one.
  static func newStage(
    name: String, stages: [EnvironmentStageSpec], using random: inout EnvironmentRandom
  ) -> EnvironmentStageSpec {
    let networks = stages.filter { $0.kind == .net }.map(\.name)
    if !networks.isEmpty, random.chance(0.6) {
      return EnvironmentStageSpec(
        name: name, kind: .app, value: random.pick(EnvironmentStageKind.app.values), upstream: random.pick(networks))
    }
    return EnvironmentStageSpec(name: name, kind: .net, value: random.pick(EnvironmentStageKind.net.values))
  }
}
