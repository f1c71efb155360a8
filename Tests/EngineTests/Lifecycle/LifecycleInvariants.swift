import Engine
import RunState
import VRAModels

/// What one run looks like at a quiet moment (nobody works on it): the store's records and the
/// deployments vRA holds under the sequence's tag.
struct LifecycleSnapshot: Sendable {
  var run: RunRecord
  var stages: [StageRecord]
  var events: [EventRecord]
  var deployments: [Deployment]
}

/// The invariants checked after every step. Each returns a list of violations (empty: it holds).
enum LifecycleInvariants {
  /// Every invariant that holds whenever nobody works on the run.
  static func check(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    storeAgreesWithVRA(snapshot, plan: plan) + noDuplicateNames(snapshot) + onlyTableTransitions(snapshot)
      + finishedRunsAreQuiet(snapshot)
  }

  /// A succeeded stage's deployment is live in vRA under its name; a destroyed or rolled-back
  /// stage has none; every deployment of the run in vRA is one of its stages' (same id, if known).
  static func storeAgreesWithVRA(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    var problems: [String] = []
    let runId = snapshot.run.id.rawValue
    let byName = Dictionary(grouping: snapshot.deployments, by: \.name)
    for (index, stage) in snapshot.stages.enumerated() {
      let name = stage.deploymentName ?? plan.deploymentName(index, runId: runId)
      let live = byName[name] ?? []
      switch stage.status {
      case .succeeded:
        guard let id = stage.deploymentId else {
          problems.append("stage \(stage.name) succeeded without a deployment id")
          continue
        }
        if !live.contains(where: { $0.id == id }) {
          problems.append("stage \(stage.name) succeeded but vRA has no deployment \(id) named \(name)")
        }
      case .destroyed, .rolledBack:
        if !live.isEmpty {
          problems.append(
            "stage \(stage.name) is \(stage.status) but vRA still holds \(name) (\(live.compactMap(\.id)))")
        }
      default:
        break
      }
    }
    let stagesByName = Dictionary(
      uniqueKeysWithValues: snapshot.stages.enumerated().map {
        (plan.deploymentName($0.offset, runId: runId), $0.element)
      })
    for deployment in snapshot.deployments {
      guard let stage = stagesByName[deployment.name] else {
        problems.append("vRA holds \(deployment.name), which is no stage of run \(runId)")
        continue
      }
      if let id = stage.deploymentId, id != deployment.id {
        problems.append(
          "vRA holds \(deployment.name) as \(deployment.id ?? "?") but stage \(stage.name) (\(stage.status)) recorded \(id)"
        )
      }
    }
    return problems
  }

  /// No deployment name exists twice in vRA (the simulator accepts duplicates, so one would show).
  static func noDuplicateNames(_ snapshot: LifecycleSnapshot) -> [String] {
    Dictionary(grouping: snapshot.deployments, by: \.name).filter { $0.value.count > 1 }.map {
      "vRA holds \($0.value.count) deployments named \($0.key)"
    }.sorted()
  }

  /// Every status change the store audited is a row of `RunLifecycle`'s tables and starts where
  /// the previous one ended; no stage recorded an illegal-transition error.
  static func onlyTableTransitions(_ snapshot: LifecycleSnapshot) -> [String] {
    var problems: [String] = []
    var runAt = RunStatus.pending
    var stageAt: [String: StageStatus] = [:]
    for event in snapshot.events {
      guard event.kind == EventRecord.Kind.runStatus || event.kind == EventRecord.Kind.stageStatus else { continue }
      guard let fromText = event.data?["from"]?.stringValue, let toText = event.data?["to"]?.stringValue else {
        problems.append("event \(event.sequence) (\(event.kind)) has no from/to")
        continue
      }
      if event.kind == EventRecord.Kind.runStatus {
        guard let from = RunStatus(rawValue: fromText), let to = RunStatus(rawValue: toText) else {
          problems.append("run event \(event.sequence): unknown status \(fromText) → \(toText)")
          continue
        }
        if from != runAt { problems.append("run event \(event.sequence): from \(from), but the run was \(runAt)") }
        if !RunLifecycle.runTransitions.contains(where: { $0.from.contains(from) && $0.to == to }) {
          problems.append("run went \(from) → \(to), which RunLifecycle does not list")
        }
        runAt = to
      } else if let stage = event.stage {
        guard let from = StageStatus(rawValue: fromText), let to = StageStatus(rawValue: toText) else {
          problems.append("stage \(stage) event \(event.sequence): unknown status \(fromText) → \(toText)")
          continue
        }
        let was = stageAt[stage] ?? .pending
        if from != was { problems.append("stage \(stage) event \(event.sequence): from \(from), but it was \(was)") }
        if !RunLifecycle.stageTransitions.contains(where: { $0.from.contains(from) && $0.to == to }) {
          problems.append("stage \(stage) went \(from) → \(to), which RunLifecycle does not list")
        }
        stageAt[stage] = to
      }
    }
    if runAt != snapshot.run.status {
      problems.append("the run's events end at \(runAt) but the run is \(snapshot.run.status)")
    }
    for stage in snapshot.stages {
      if (stageAt[stage.name] ?? .pending) != stage.status {
        problems.append(
          "stage \(stage.name)'s events end at \(stageAt[stage.name] ?? .pending) but it is \(stage.status)")
      }
      if let error = stage.error, mentionsIllegalTransition("\(error.errorClass) \(error.message)") {
        problems.append("stage \(stage.name) recorded an illegal transition: \(error.message)")
      }
    }
    for event in snapshot.events where mentionsIllegalTransition(event.message) {
      problems.append("event \(event.sequence) (\(event.kind)) mentions an illegal transition: \(event.message)")
    }
    return problems
  }

  /// A run in a terminal status has no stage in flight, and nobody (alive) holds its lease.
  static func finishedRunsAreQuiet(_ snapshot: LifecycleSnapshot) -> [String] {
    guard snapshot.run.status.isTerminal else { return [] }
    var problems = snapshot.stages.filter { LifecycleExpectation.inFlight($0.status) }.map {
      "run is \(snapshot.run.status) but stage \($0.name) is \($0.status)"
    }
    if let lease = snapshot.run.lease, !lease.owner.isKnownDead {
      problems.append("run is \(snapshot.run.status) but \(lease.owner) still holds its lease")
    }
    return problems
  }

  /// After `destroy`: nothing of the run is left in vRA.
  static func nothingLeft(_ snapshot: LifecycleSnapshot) -> [String] {
    snapshot.deployments.isEmpty ? [] : ["destroy left \(snapshot.deployments.map(\.name).sorted()) in vRA"]
  }

  /// After a run that succeeded: every stage succeeded, with exactly one deployment each.
  static func everyStageOnce(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    var problems = snapshot.stages.filter { $0.status != .succeeded }.map {
      "run succeeded but stage \($0.name) is \($0.status)"
    }
    let names = Set(snapshot.deployments.map(\.name))
    let wanted = Set((0..<plan.stageCount).map { plan.deploymentName($0, runId: snapshot.run.id.rawValue) })
    if names != wanted || snapshot.deployments.count != plan.stageCount {
      problems.append(
        "run succeeded; vRA holds \(snapshot.deployments.map(\.name).sorted()), wanted \(wanted.sorted())")
    }
    return problems
  }

  static func mentionsIllegalTransition(_ text: String) -> Bool {
    text.contains("state.illegal") || text.contains("cannot go from") || text.contains("RunLifecycle has no such")
  }

  /// True when `error` is (or describes) a refused transition.
  static func isIllegalTransition(_ error: any Error) -> Bool {
    if let error = error as? StateStoreError {
      switch error {
      case .illegalRunTransition, .illegalStageTransition: return true
      default: break
      }
    }
    return mentionsIllegalTransition(String(describing: error))
  }
}
