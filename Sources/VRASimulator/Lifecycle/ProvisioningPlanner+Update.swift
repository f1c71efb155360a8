import Foundation
import VRAModels

extension ProvisioningPlanner {
  /// An update in place takes this share of the resource type's provisioning time.
  static let updateFactor = 0.5

  /// The update timeline: CREATED → INITIALIZATION → INPROGRESS → deletions (removed resources and
  /// the old instance of each recreated one, together) → creations and in-place updates in the
  /// template's dependency order (unchanged resources take no time) → COMPLETION → SUCCESSFUL.
  ///
  /// - Parameters:
  ///   - failure: a message when the whole update must fail (`faults.failUpdates`): it fails when the
  ///     first changed resource would have finished, or as provisioning starts when nothing changes.
  ///   - shouldFail: template resource names to fail (`failResources`, as a create does).
  func planUpdate(
    _ changes: [ResourceDiff.Change], start: Date, failure forced: String?, shouldFail: (String) -> Bool
  ) -> Plan {
    let initialization = scaled(durations.initialization)
    var steps: [ScheduledStep] = [
      ScheduledStep(at: start.addingTimeInterval(initialization * 0.25), kind: .status(.initialization)),
      ScheduledStep(at: start.addingTimeInterval(initialization), kind: .status(.inProgress)),
    ]
    var time = start.addingTimeInterval(initialization)
    var tasks = 0
    let removals = changes.filter { $0.reason == .delete || $0.reason == .recreate }
    if !removals.isEmpty {
      time = time.addingTimeInterval(
        removals.map { scaled(durations.provisioning(of: $0.existing?.type ?? $0.type) * durations.deleteFactor) }
          .max() ?? 0)
      for change in removals {
        steps.append(ScheduledStep(at: time, kind: .resourceDeleted(change.name)))
        tasks += 1
      }
    }
    let provisioningStart = time
    var finishOf: [String: Date] = [:]
    var resources: [ResourceRecord] = []
    var failure: (at: Date, instance: String?, message: String)?
    func fail(_ instance: String, at finish: Date, _ message: String) {
      if failure == nil || finish < failure!.at { failure = (finish, instance, message) }
    }
    for change in changes where change.reason != .delete {
      let begin = change.dependsOn.compactMap { finishOf[$0] }.max() ?? provisioningStart
      guard change.reason != .read, let properties = change.templateProperties else {
        finishOf[change.name] = begin
        continue
      }
      let provisioning = scaled(durations.provisioning(of: change.type))
      let finish = begin.addingTimeInterval(change.reason == .update ? provisioning * Self.updateFactor : provisioning)
      finishOf[change.name] = finish
      tasks += 1
      if change.reason == .update, let existing = change.existing {
        var record = existing
        record.properties = properties
        record.dependsOn = change.dependsOn
        resources.append(record)
        steps.append(ScheduledStep(at: begin, kind: .resourceUpdateStarted(change.name)))
      } else {
        resources.append(
          ResourceRecord(
            id: StableID.random(), name: change.name, templateName: change.templateName, type: change.type,
            dependsOn: change.dependsOn, properties: properties, state: .partial, createdAt: begin))
        steps.append(ScheduledStep(at: begin, kind: .resourceStarted(change.name)))
      }
      if let forced {
        fail(change.name, at: finish, forced)
      } else if shouldFail(change.templateName) {
        fail(
          change.name, at: finish,
          "Provisioning of '\(change.name)' failed: no placement satisfies the constraints (simulated fault)")
      } else {
        steps.append(
          ScheduledStep(
            at: finish, kind: change.reason == .update ? .resourceUpdated(change.name) : .resourceReady(change.name)))
      }
    }
    if failure == nil, let forced { failure = (provisioningStart, nil, forced) }
    if let failure {
      steps = steps.filter { $0.at < failure.at || ($0.at == failure.at && !$0.isResourceStart) }
      if let instance = failure.instance {
        steps.append(ScheduledStep(at: failure.at, kind: .resourceFailed(instance, message: failure.message)))
      }
      steps.append(ScheduledStep(at: failure.at, kind: .failed(message: "Request failed: \(failure.message)")))
    } else {
      let lastFinish = finishOf.values.max() ?? provisioningStart
      steps.append(ScheduledStep(at: lastFinish, kind: .status(.completion)))
      steps.append(ScheduledStep(at: lastFinish.addingTimeInterval(scaled(durations.completion)), kind: .succeeded))
    }
    steps.sort { $0.at < $1.at }  // stable: deletions before the creations that replace them
    return Plan(resources: resources, steps: steps, totalTasks: tasks + 2)
  }
}
