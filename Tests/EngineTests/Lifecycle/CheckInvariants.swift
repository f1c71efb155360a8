import Engine
import Foundation
import RunState
import VRAModels

/// The invariants of check stages (docs/apply.md, "Check stages"; ARCHITECTURE.md, "Checks"), and the
/// order every stage starts in. A check sends nothing to vRA, moves `pending → running` by the
/// lifecycle's `check-started` row, ends with a `stage.check` verdict before its result, and ends
/// `rolled-back` / `destroyed` with the others when it had succeeded (Rollback.swift: a succeeded
/// stage with no deployment id or name); one that never succeeded stays as it was through a
/// rollback (failed, skipped) and is recorded `destroyed` by a destroy ("nothing of it exists").
extension LifecycleInvariants {
  /// The rows of `RunLifecycle.stageTransitions` a check stage may move by: never a submit, an
  /// accepted POST, a status seen in vRA, or an environment's `unchanged`.
  static let checkRows: Set<String> = [
    "check-started", "succeeded", "failed", "cancelled", "skipped", "resume", "rollback", "rolled-back", "destroy",
    "destroyed",
  ]

  /// A JSON value as a message shows it (`1`, `true`, `exit status 1`, `{"attempts":3}`).
  static func shown(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let flag): "\(flag)"
    case .int(let number): "\(number)"
    case .double(let number): "\(number)"
    case .string(let text): text
    case .array, .object:
      (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }
  }

  /// The rows that move a stage from `from` to `to`.
  static func rows(from: StageStatus, to: StageStatus) -> [String] {
    RunLifecycle.stageTransitions.filter { $0.from.contains(from) && $0.to == to }.map(\.event)
  }

  /// The invariants of check stages that hold whenever nobody works on the run, and the
  /// dependency order of every stage.
  static func checkInvariants(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    checksHoldNothingInVRA(snapshot, plan: plan) + checksMoveByCheckRows(snapshot, plan: plan)
      + checkVerdicts(snapshot, plan: plan) + dependenciesFirst(snapshot, plan: plan)
  }

  /// The `stage.status` events of `stage`, in order, with their statuses.
  static func transitions(
    of stage: String, in snapshot: LifecycleSnapshot
  ) -> [(event: EventRecord, from: StageStatus, to: StageStatus)] {
    snapshot.events.compactMap { event in
      guard event.kind == EventRecord.Kind.stageStatus, event.stage == stage,
        let from = event.data?["from"]?.stringValue.flatMap(StageStatus.init(rawValue:)),
        let to = event.data?["to"]?.stringValue.flatMap(StageStatus.init(rawValue:))
      else { return nil }
      return (event, from, to)
    }
  }

  /// The `stage.check` verdicts of `stage`, in order.
  static func verdicts(of stage: String, in snapshot: LifecycleSnapshot) -> [EventRecord] {
    snapshot.events.filter { $0.kind == EventRecord.Kind.stageCheck && $0.stage == stage }
  }

  /// A check stage has no deployment id or name, request ids, intent (attempt stays 0), operation or
  /// resources; none of its status events carries one; no delete was recorded for it; vRA holds no
  /// deployment under the name a deploying stage of its index would have.
  static func checksHoldNothingInVRA(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    var problems: [String] = []
    let byName = Dictionary(snapshot.stages.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    for check in plan.checks {
      let name = PlanShape.name(check.stage)
      guard let stage = byName[name] else {
        problems.append("the store lacks check stage \(name)")
        continue
      }
      let held = [
        ("deployment id", stage.deploymentId), ("deployment name", stage.deploymentName),
        ("request id", stage.requestId), ("blueprint request id", stage.blueprintRequestId),
        ("operation", stage.operation?.rawValue),
      ].compactMap { label, value in value.map { "\(label) \($0)" } }
      if !held.isEmpty { problems.append("check stage \(name) (\(stage.status)) has \(held.joined(separator: ", "))") }
      if stage.attempt != 0 { problems.append("check stage \(name) recorded \(stage.attempt) intent(s) to submit") }
      if let resources = stage.resources, resources != .object([:]) {
        problems.append("check stage \(name) recorded resources \(resources)")
      }
      for (event, from, to) in transitions(of: name, in: snapshot) {
        let ids = ["deploymentName", "deploymentId", "requestId", "blueprintRequestId"].filter {
          event.data?[$0] != nil
        }
        if !ids.isEmpty {
          problems.append("check stage \(name)'s event \(event.sequence) (\(from) → \(to)) carries \(ids)")
        }
      }
      for delete in snapshot.deleteRequests where delete.stage == name {
        problems.append(
          "a \(delete.purpose.rawValue) deleted deployment \(delete.deploymentId ?? "?") for check stage \(name)")
      }
      let deploymentName = plan.deploymentName(check.stage, runId: snapshot.run.id.rawValue)
      for deployment in snapshot.deployments where deployment.name == deploymentName {
        problems.append("vRA holds \(deploymentName) (\(deployment.id ?? "?")) for check stage \(name)")
      }
    }
    return problems
  }

  /// `RunLifecycle` has the `check-started` row (`pending | running → running`); every status change
  /// of a check stage is one of the rows a check may take (it reaches `running` only by
  /// `check-started`, never by a submit or a status seen in vRA); a deploying or action stage
  /// never takes `check-started` (it never goes `pending → running`).
  static func checksMoveByCheckRows(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    var problems: [String] = []
    if !RunLifecycle.stageTransitions.contains(where: {
      $0.event == "check-started" && $0.from == [.pending, .running] && $0.to == .running
    }) {
      problems.append("RunLifecycle has no row check-started: pending | running → running")
    }
    for index in 0..<plan.stageCount {
      let name = PlanShape.name(index)
      for (event, from, to) in transitions(of: name, in: snapshot) {
        let matching = rows(from: from, to: to)
        if plan.isCheck(index) {
          if !matching.contains(where: checkRows.contains) {
            problems.append(
              "check stage \(name) went \(from) → \(to) (event \(event.sequence)) by \(matching), no row a check takes")
          }
        } else if !matching.isEmpty, matching.allSatisfy({ $0 == "check-started" }) {
          problems.append("stage \(name), which is no check, went \(from) → \(to) by check-started")
        }
      }
    }
    return problems
  }

  /// Each check stage's verdicts agree with its status:
  /// - succeeded (or in flight past its verdict): it went `running → succeeded`, and its last
  ///   `stage.check` (after its last `→ running`) passed, with the plan's `times`, `passesInRow` of
  ///   at least that, the stage's `outputs.attempts` as its attempts and `exitStatus` 0 / `status`
  ///   200; the command's output (http: the URL) shows the `outputs.id` of the parent it reads;
  /// - failed: it went `running → failed` (nothing fails a check of this plan before it probes),
  ///   with a verdict that did not pass after its last `→ running`.
  static func checkVerdicts(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    var problems: [String] = []
    let byName = Dictionary(snapshot.stages.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    for check in plan.checks {
      let name = PlanShape.name(check.stage)
      guard let stage = byName[name], stage.status == .succeeded || stage.status == .failed else { continue }
      let moves = transitions(of: name, in: snapshot)
      guard let last = moves.last, last.to == stage.status else { continue }  // onlyTableTransitions says it
      guard last.from == .running else {
        problems.append(
          "check stage \(name) went \(last.from) → \(last.to) without probing"
            + (stage.error.map { ": \($0.message)" } ?? ""))
        continue
      }
      // Its last start (`running → running` too: a resume of a check a killed process was probing).
      guard let started = moves.last(where: { $0.to == .running })?.event.sequence,
        let verdict = verdicts(of: name, in: snapshot).last(where: { $0.sequence > started }),
        verdict.sequence < last.event.sequence
      else {
        problems.append("check stage \(name) is \(stage.status) without a stage.check verdict since it started")
        continue
      }
      let data = verdict.data?.objectValue ?? [:]
      let passed = data["passed"]?.boolValue
      func text(_ key: String) -> String { data[key].map { shown($0) } ?? "none" }
      if stage.status == .failed {
        if passed != false {
          problems.append("check stage \(name) failed, but its verdict says passed \(text("passed"))")
        }
        continue
      }
      if passed != true {
        problems.append(
          "check stage \(name) succeeded, but its verdict says passed \(text("passed")): \(verdict.message)")
      }
      let outputs = stage.outputs?.objectValue ?? [:]
      let attempts = outputs["attempts"]?.intValue
      if attempts == nil || attempts! < check.times {
        problems.append(
          "check stage \(name) succeeded with outputs \(shown(.object(outputs))) (attempts: at least "
            + "\(check.times))")
      } else if data["attempts"]?.intValue != attempts {
        problems.append(
          "check stage \(name)'s outputs say \(attempts!) attempts, its verdict \(text("attempts"))")
      }
      if data["times"]?.intValue != check.times || (data["passesInRow"]?.intValue ?? 0) < check.times {
        problems.append(
          "check stage \(name) passed \(text("passesInRow")) of \(text("times")) times in a row; the plan asks "
            + "\(check.times)")
      }
      let code = check.kind == .command ? ("exitStatus", 0) : ("status", 200)
      if outputs[code.0]?.intValue != code.1 {
        let value = outputs[code.0].map { shown($0) } ?? "none"
        problems.append("check stage \(name) succeeded with \(code.0) \(value), not \(code.1): \(text("last"))")
      }
      // What its reference resolved to: the parent's outputs.id.
      guard let reference = plan.referencedParent(check.stage) else { continue }
      let parent = byName[PlanShape.name(reference)]
      guard let id = parent?.outputs?.objectValue?["id"]?.stringValue else {
        problems.append(
          "check stage \(name) succeeded but the stage it reads, s\(reference), is \(parent?.status.rawValue ?? "?") "
            + "without outputs.id")
        continue
      }
      let seen = (check.kind == .command ? data["output"] : data["target"])?.stringValue ?? ""
      if !seen.contains(CheckShape.upstreamMarker + id) {
        problems.append(
          "check stage \(name) read \(seen.debugDescription), not s\(reference)'s outputs.id \(id)")
      }
    }
    return problems
  }

  /// Stages start in dependency order: whenever a stage starts (an intent `→ submitting` from
  /// pending, failed (a retry) or cancelled, or a check's `pending → running`), every stage it
  /// depends on is `succeeded`. So nothing after a failed check (or any failed stage) is submitted.
  static func dependenciesFirst(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    var problems: [String] = []
    var at: [String: StageStatus] = [:]
    for event in snapshot.events where event.kind == EventRecord.Kind.stageStatus {
      guard let stage = event.stage, let index = index(of: stage), index < plan.stageCount,
        let from = event.data?["from"]?.stringValue.flatMap(StageStatus.init(rawValue:)),
        let to = event.data?["to"]?.stringValue.flatMap(StageStatus.init(rawValue:))
      else { continue }
      let starts =
        (to == .submitting && [.pending, .failed, .cancelled].contains(from)) || (to == .running && from == .pending)
      if starts {
        let waiting = plan.parents[index].map(PlanShape.name).filter { at[$0] != .succeeded }
        if !waiting.isEmpty {
          problems.append(
            "stage \(stage) started (\(from) → \(to), event \(event.sequence)) while "
              + waiting.map { "\($0) was \(at[$0] ?? .pending)" }.joined(separator: ", "))
        }
      }
      at[stage] = to
    }
    return problems
  }

  // MARK: After a step

  /// After a run step (a start or resume, interrupted or not) that began at event `since` with
  /// `before` as the stages:
  /// - a stage that had succeeded is not started again (no intent, no check probed again: a resume
  ///   runs again only what did not succeed); only a rollback may move it;
  /// - a check broken throughout the step never passed in it.
  static func runStep(
    _ snapshot: LifecycleSnapshot, plan: PlanShape, before: [StageRecord], since: Int64?, brokenChecks: Set<Int>
  ) -> [String] {
    var problems: [String] = []
    let new = snapshot.events.filter { event in since.map { event.sequence > $0 } ?? true }
    // What a rollback at the run's end may do to a stage that had succeeded.
    let undoing: [(from: StageStatus?, to: StageStatus)] = [
      (nil, .rollingBack), (nil, .rolledBack), (.rollingBack, .failed),
    ]
    for stage in before where stage.status == .succeeded {
      for event in new where event.stage == stage.name {
        if event.kind == EventRecord.Kind.stageCheck {
          problems.append("check stage \(stage.name) had passed, yet the run probed it again: \(event.message)")
        }
        guard event.kind == EventRecord.Kind.stageStatus,
          let from = event.data?["from"]?.stringValue.flatMap(StageStatus.init(rawValue:)),
          let to = event.data?["to"]?.stringValue.flatMap(StageStatus.init(rawValue:))
        else { continue }
        if !undoing.contains(where: { ($0.from == nil || $0.from == from) && $0.to == to }) {
          problems.append("stage \(stage.name) had succeeded, yet the run moved it: \(event.message)")
        }
      }
    }
    for index in brokenChecks.sorted() {
      let name = PlanShape.name(index)
      for event in new
      where event.kind == EventRecord.Kind.stageStatus && event.stage == name
        && event.data?["to"]?.stringValue == StageStatus.succeeded.rawValue
      {
        problems.append("check stage \(name) was broken, yet it succeeded (event \(event.sequence))")
      }
      for event in new
      where event.kind == EventRecord.Kind.stageCheck && event.stage == name
        && event.data?["passed"]?.boolValue == true
      {
        problems.append("check stage \(name) was broken, yet its verdict passed: \(event.message)")
      }
    }
    return problems
  }

  /// After a run that ended `failed` by itself (the orchestrator returned it: a failure with no
  /// cancel, so a plan with `rollback: on-failure` was rolled back):
  /// - the stages after a check that failed in this step were skipped (under a rollback, a skipped
  ///   stage holding an earlier attempt's deployment is rolled back, or failed if its delete failed);
  /// - under a rollback no check is left succeeded: each is rolled back (it had passed), failed or
  ///   skipped (it never did).
  static func failedRunEnd(_ snapshot: LifecycleSnapshot, plan: PlanShape, since: Int64?) -> [String] {
    // Only a run this step ended failed (an apply process that did not get to run leaves the old status).
    let ended = snapshot.events.last {
      $0.kind == EventRecord.Kind.runStatus && $0.data?["to"]?.stringValue == RunStatus.failed.rawValue
    }
    guard snapshot.run.status == .failed, let ended, since.map({ ended.sequence > $0 }) ?? true else { return [] }
    var problems: [String] = []
    let byName = Dictionary(snapshot.stages.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    for check in plan.checks {
      let name = PlanShape.name(check.stage)
      guard let stage = byName[name] else { continue }
      if plan.rollback, ![.rolledBack, .failed, .skipped].contains(stage.status) {
        problems.append("the run failed and was rolled back, but check stage \(name) is \(stage.status)")
      }
      let failedNow = transitions(of: name, in: snapshot).contains { move in
        move.to == .failed && since.map { move.event.sequence > $0 } ?? true
      }
      guard stage.status == .failed, failedNow else { continue }
      for descendant in plan.descendants(of: check.stage).sorted() {
        guard let after = byName[PlanShape.name(descendant)] else { continue }
        let rolledBack =
          plan.rollback
          && (after.status == .rolledBack || (after.status == .failed && after.error?.errorClass == .rollback))
        if after.status != .skipped && !rolledBack {
          problems.append(
            "check stage \(name) failed, but s\(descendant), which depends on it, is \(after.status), not skipped")
        }
      }
    }
    return problems
  }

  /// After a run that succeeded: every check stage succeeded with a verdict that passed (the
  /// details: `checkVerdicts`).
  static func checksPassed(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    plan.checks.compactMap { check in
      let name = PlanShape.name(check.stage)
      guard let stage = snapshot.stages.first(where: { $0.name == name }) else { return nil }
      let passed = verdicts(of: name, in: snapshot).last?.data?["passed"]?.boolValue == true
      return stage.status == .succeeded && passed
        ? nil : "the run succeeded, but check stage \(name) is \(stage.status) (last verdict passed: \(passed))"
    }
  }

  /// After `destroy`: every check stage is `destroyed`, whether it had passed or not.
  static func checksDestroyed(_ snapshot: LifecycleSnapshot, plan: PlanShape) -> [String] {
    plan.checks.compactMap { check in
      let name = PlanShape.name(check.stage)
      guard let stage = snapshot.stages.first(where: { $0.name == name }), stage.status != .destroyed else {
        return nil
      }
      return "the run was destroyed, but check stage \(name) is \(stage.status)"
    }
  }
}
