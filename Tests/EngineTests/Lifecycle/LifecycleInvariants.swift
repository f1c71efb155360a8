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
  /// The deletes the store recorded (rollback and destroy), by stage.
  var deleteRequests: [DeleteRequestRecord] = []
  /// For a plan with an action stage: what vRA says of each live deployment named as the action's
  /// target stage's, by deployment id (missing when vRA could not be read, e.g. it was being deleted).
  var actionTargets: [String: ActionTargetView] = [:]
}

/// A deployment an action stage acts on, as vRA shows it.
struct ActionTargetView: Sendable {
  /// Its requests of the action's id (`GET .../deployments/{id}/requests`), newest first.
  var actionRequests: [DeploymentRequest]
  /// The `properties.tags` of each of its resources, by resource name.
  var tags: [String: [JSONValue]]

  /// Whether every resource carries the tag `key: value`.
  func everyResourceTagged(key: String, value: String) -> Bool {
    !tags.isEmpty
      && tags.values.allSatisfy { tags in
        tags.contains { $0.objectValue?["key"]?.stringValue == key && $0.objectValue?["value"]?.stringValue == value }
      }
  }
}

/// The invariants checked after every step. Each returns a list of violations (empty: it holds).
enum LifecycleInvariants {
  /// Every invariant that holds whenever nobody works on the run.
  static func check(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    let found: [[String]] = [
      storeAgreesWithVRA(snapshot, plan: plan), actionsAgreeWithVRA(snapshot, plan: plan),
      actionsDeleteNothing(snapshot, plan: plan), noDuplicateNames(snapshot), onlyTableTransitions(snapshot),
      finishedRunsAreQuiet(snapshot), checkInvariants(snapshot, plan: plan),
    ]
    return found.flatMap { $0 }
  }

  /// The index of the stage named `name` ("s3" → 3).
  static func index(of name: String) -> Int? { name.first == "s" ? Int(name.dropFirst()) : nil }

  /// A succeeded stage's deployment is live in vRA under its name; a destroyed or rolled-back
  /// stage has none; every deployment of the run in vRA is one of its deploying stages' (same id,
  /// if known). The action stage deploys nothing: `actionsAgreeWithVRA` checks it; nor do check
  /// stages: `checksHoldNothingInVRA` checks them.
  static func storeAgreesWithVRA(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    var problems: [String] = []
    let runId = snapshot.run.id.rawValue
    let byName = Dictionary(grouping: snapshot.deployments, by: \.name)
    for stage in snapshot.stages {
      guard let index = index(of: stage.name) else {
        problems.append("the store has stage \(stage.name), which the plan does not")
        continue
      }
      if plan.isAction(index) || plan.isCheck(index) { continue }
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
      uniqueKeysWithValues: snapshot.stages.compactMap { stage in
        index(of: stage.name).flatMap {
          plan.isAction($0) || plan.isCheck($0) ? nil : (plan.deploymentName($0, runId: runId), stage)
        }
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

  /// The action stage against vRA and its target stage:
  /// - its recorded deployment (when it has one and is not pending, skipped, rolled back or
  ///   destroyed, where an earlier attempt's id may linger) is its target stage's, by id and name;
  /// - succeeded: the target stage succeeded, its deployment is live, carries the tag on every
  ///   resource, and the stage's request is a SUCCESSFUL request of the action on it;
  /// - the action was sent at most once per attempt: the target deployment has no more requests of
  ///   the action than the stage recorded intents (`submitting`) since that deployment was made
  ///   (the target stage's last `succeeded`), and at most one of them is SUCCESSFUL (a resume never
  ///   sends an action that went through again);
  /// - in a finished run, none of them is still in progress.
  static func actionsAgreeWithVRA(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    guard let action = plan.action else { return [] }
    let actionName = PlanShape.name(action.stage)
    let targetName = PlanShape.name(action.target)
    let byStage = Dictionary(uniqueKeysWithValues: snapshot.stages.map { ($0.name, $0) })
    guard let stage = byStage[actionName], let target = byStage[targetName] else {
      return ["the store lacks the action stage \(actionName) or its target \(targetName)"]
    }
    var problems: [String] = []
    let targetDeploymentName = plan.deploymentName(action.target, runId: snapshot.run.id.rawValue)
    let live = snapshot.deployments.filter { $0.name == targetDeploymentName }
    let lingering: Set<StageStatus> = [.pending, .skipped, .rolledBack, .destroyed, .rollingBack, .destroying]
    if let id = stage.deploymentId, !lingering.contains(stage.status) {
      if target.deploymentId != id {
        problems.append(
          "action stage \(actionName) (\(stage.status)) recorded deployment \(id), but its target \(targetName) "
            + "(\(target.status)) has \(target.deploymentId ?? "none")")
      }
      if stage.deploymentName != targetDeploymentName {
        problems.append(
          "action stage \(actionName) recorded the deployment name \(stage.deploymentName ?? "none"), not "
            + "\(targetDeploymentName)")
      }
    }
    if stage.status == .succeeded || LifecycleExpectation.inFlight(stage.status), target.status != .succeeded {
      problems.append("action stage \(actionName) is \(stage.status) but its target \(targetName) is \(target.status)")
    }
    if stage.status == .succeeded {
      if let id = stage.deploymentId, !live.contains(where: { $0.id == id }) {
        problems.append(
          "action stage \(actionName) succeeded but vRA has no deployment \(id) named \(targetDeploymentName)")
      } else if let id = stage.deploymentId, let view = snapshot.actionTargets[id] {
        if !view.everyResourceTagged(key: ActionShape.tagKey, value: plan.tag) {
          problems.append(
            "action stage \(actionName) succeeded but \(targetDeploymentName)'s resources do not all carry the tag "
              + "\(ActionShape.tagKey): \(plan.tag): \(view.tags)")
        }
        let sent = view.actionRequests.first { $0.id == stage.requestId }
        if sent?.status != .successful {
          problems.append(
            "action stage \(actionName) succeeded with request \(stage.requestId ?? "none"), which vRA shows as "
              + "\(sent.map { $0.status?.rawValue ?? "no status" } ?? "no request of \(ActionShape.actionId)")")
        }
      } else if stage.deploymentId == nil {
        problems.append("action stage \(actionName) succeeded without a deployment id")
      }
    }
    // Intents recorded since the target's current deployment was made.
    let made = snapshot.events.last {
      $0.kind == EventRecord.Kind.stageStatus && $0.stage == targetName && $0.data?["to"]?.stringValue == "succeeded"
    }?.sequence
    let intents = snapshot.events.count { event in
      event.kind == EventRecord.Kind.stageStatus && event.stage == actionName
        && event.data?["to"]?.stringValue == "submitting" && made.map { event.sequence > $0 } ?? true
    }
    for deployment in live {
      guard let id = deployment.id, let view = snapshot.actionTargets[id] else { continue }
      let requests = view.actionRequests
      let describe = requests.map { "\($0.id ?? "?") \($0.status?.rawValue ?? "?")" }
      if requests.count > intents {
        problems.append(
          "\(targetDeploymentName) has \(requests.count) \(ActionShape.actionId) requests (\(describe)) but "
            + "action stage \(actionName) recorded \(intents) intents since it was made")
      }
      if requests.count(where: { $0.status == .successful }) > 1 {
        problems.append("\(ActionShape.actionId) went through more than once on \(targetDeploymentName): \(describe)")
      }
      if snapshot.run.status.isTerminal, requests.contains(where: { !($0.status?.isTerminal ?? false) }) {
        problems.append(
          "run is \(snapshot.run.status) but \(ActionShape.actionId) is still in progress on \(targetDeploymentName): "
            + "\(describe)")
      }
    }
    return problems
  }

  /// After a run that succeeded: the action stage's outputs are its target's deployment's (docs/day2.md:
  /// "The stage's outputs and resources are the deployment's after the action").
  /// (vRA gives a day-2 action's own request no outputs: they are the deployment's newest that has some.)
  static func actionOutputsAreTargets(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    guard let action = plan.action else { return [] }
    let byStage = Dictionary(uniqueKeysWithValues: snapshot.stages.map { ($0.name, $0) })
    guard let stage = byStage[PlanShape.name(action.stage)], stage.status == .succeeded,
      let target = byStage[PlanShape.name(action.target)], target.status == .succeeded
    else { return [] }
    guard stage.outputs == target.outputs else {
      return [
        "action stage \(stage.name) succeeded with outputs \(stage.outputs.map { "\($0)" } ?? "none"), not its "
          + "target \(target.name)'s deployment's \(target.outputs.map { "\($0)" } ?? "none")"
      ]
    }
    return []
  }

  /// Rollback and destroy delete nothing because of an action stage: no delete is recorded for it
  /// (its deployment is its target stage's, deleted with that stage).
  static func actionsDeleteNothing(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    guard let action = plan.action else { return [] }
    let actionName = PlanShape.name(action.stage)
    return snapshot.deleteRequests.filter { $0.stage == actionName }.map {
      "a \($0.purpose.rawValue) deleted deployment \($0.deploymentId ?? "?") for action stage \(actionName) "
        + "(request \($0.deleteRequestId))"
    }
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

  /// After a run that succeeded: every stage succeeded, with exactly one deployment each for the
  /// deploying stages (the action stage's is its target's; check stages have none).
  static func everyStageOnce(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    var problems = snapshot.stages.filter { $0.status != .succeeded }.map {
      "run succeeded but stage \($0.name) is \($0.status)"
    }
    let names = Set(snapshot.deployments.map(\.name))
    let wanted = Set(plan.deployStages.map { plan.deploymentName($0, runId: snapshot.run.id.rawValue) })
    if names != wanted || snapshot.deployments.count != plan.deployStages.count {
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
