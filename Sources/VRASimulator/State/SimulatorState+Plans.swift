import CloudTemplate
import Foundation
import VRAModels

/// vRA's plan of a blueprint request (`/plan`, `/resources-plan`) and the what-if requests
/// (`plan: true`) that only compute one.
extension SimulatorState {
  /// Computes what `validated` does to `deployment` (nil: a new deployment) and keeps it on the
  /// request, secrets masked. Returns the diff for the update that may follow.
  @discardableResult
  func attachPlan(
    to request: inout BlueprintRequestRecord, _ validated: ValidatedTemplate, deployment: DeploymentRecord?
  ) -> ResourceDiff {
    let previous = deployment?.content.flatMap { try? TemplateParser.parse($0, fileName: "blueprint.yaml") }
    let diff = ResourceDiff(
      current: deployment?.resources ?? [], previousTemplate: previous, template: validated.template,
      graph: validated.graph, inputs: validated.inputs)
    let mask = SecretMask(
      templates: [validated.template] + (previous.map { [$0] } ?? []),
      inputs: [validated.inputs, deployment?.inputs ?? [:]])
    var taskOf: [String: String] = [:]
    for change in diff.changes where change.reason.changes {
      taskOf[change.name] = "\(change.name):\(change.reason.rawValue.lowercased())"
    }
    request.resourcesPlan = diff.changes.map { change in
      BlueprintPlanResource(
        resourceName: change.name, resourceType: change.type, resourceReason: change.reason,
        oldProperties: mask.properties(change.oldProperties), newProperties: mask.properties(change.newProperties),
        dependsOnResources: change.dependsOn, taskNames: taskOf[change.name].map { [$0] } ?? [])
    }
    request.planTasks = diff.changes.compactMap { change in
      guard let name = taskOf[change.name] else { return nil }
      // A deletion waits for the deletion of what depends on it; anything else for what it depends on.
      let waitsFor =
        change.reason == .delete
        ? diff.changes.filter { $0.reason == .delete && $0.dependsOn.contains(change.name) }.map(\.name)
        : change.dependsOn
      return BlueprintPlanTask(
        name: name, resourceName: change.name, resourceType: change.type, resourceReason: change.reason,
        dependsOnTasks: waitsFor.compactMap { taskOf[$0] },
        inputProperties: mask.properties(change.newProperties ?? change.oldProperties))
    }
    request.planInputs = mask.inputs(validated.inputs)
    let outputs = Dictionary(
      validated.template.outputs.map { ($0.name, $0.value ?? .null) }, uniquingKeysWith: { first, _ in first })
    request.planOutputs = mask.properties(
      OutputResolver(resources: deployment?.resources ?? [], inputs: validated.inputs).resolve(outputs))
    return diff
  }

  /// Stores a what-if request: it changes nothing, has no deployment request, and goes CREATED →
  /// STARTED → FINISHED on the clock (a quarter, then half of `durations.initialization`, scaled).
  func startPlan(_ request: BlueprintRequestRecord) -> BlueprintRequestRecord {
    var request = request
    let initialization = configuration.durations.initialization * configuration.timeScale
    request.planStartsAt = request.createdAt.addingTimeInterval(max(0, initialization * 0.25))
    request.planFinishesAt = request.createdAt.addingTimeInterval(max(0, initialization * 0.5))
    blueprintRequests[request.id] = request
    pendingPlans.insert(request.id)
    markChanged()
    return request
  }

  /// Moves what-if requests whose time has come (called by `advance(to:)`).
  func settlePlans(at now: Date) {
    for id in pendingPlans {
      guard var request = blueprintRequests[id], let starts = request.planStartsAt,
        let finishes = request.planFinishesAt, !request.status.isTerminal
      else {
        pendingPlans.remove(id)
        continue
      }
      guard starts <= now else { continue }
      if request.status == .created {
        request.status = .started
        request.updatedAt = starts
      }
      if finishes <= now {
        request.status = .finished
        request.updatedAt = finishes
        pendingPlans.remove(id)
      }
      blueprintRequests[id] = request
      markChanged()
    }
  }

  /// Rebuilds the set of what-if requests still moving after loading persisted state.
  func rebuildPendingPlans() {
    pendingPlans = Set(blueprintRequests.values.filter { $0.planFinishesAt != nil && !$0.status.isTerminal }.map(\.id))
  }

  /// A blueprint request whose plan can be read: a what-if once FINISHED, any other request once it
  /// has left CREATED. Before that vRA has no plan to show: 404.
  func plannedRequest(_ id: String, org: String) throws -> BlueprintRequestRecord {
    let request = try blueprintRequest(id, org: org)
    let ready = request.plan ? request.status == .finished : request.status != .created
    guard ready, request.resourcesPlan != nil else {
      throw APIError(
        .notFound, "The plan of blueprint request '\(id)' is not available (status \(request.status.rawValue))",
        errorCode: 10404, messageId: "blueprint.request.plan.not.found")
    }
    return request
  }

  func renderPlan(_ request: BlueprintRequestRecord, expand: Bool) -> BlueprintPlan {
    BlueprintPlan(
      inputProperties: request.planInputs, outputProperties: request.planOutputs,
      tasks: request.planTasks?.map { task in
        var task = task
        if !expand { task.inputProperties = nil }  // the task's properties are the "detailed plan"
        return task
      })
  }

  func renderResourcesPlan(_ request: BlueprintRequestRecord) -> BlueprintResourcesPlan {
    BlueprintResourcesPlan(resources: request.resourcesPlan)
  }
}
