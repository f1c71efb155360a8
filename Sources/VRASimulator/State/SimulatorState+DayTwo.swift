import Foundation
import VRAModels

/// The day-2 actions that change machines or the deployment without a template: power, lease, tags
/// (deployment-wide) and the machine actions of `+ResourceActions`. All run as requests shaped like
/// provisioning (`ProvisioningPlanner.planAction`), one at a time per deployment.
extension SimulatorState {
  /// The machines of a deployment, the resources power and resize act on.
  func machines(of deployment: DeploymentRecord) -> [ResourceRecord] {
    deployment.resources.filter { MachineActions.isMachine($0.type) }
  }

  /// Why a deployment action cannot run now (what makes it `valid: false`), nil when it can.
  /// A request in progress is reported by `checkNoRequestInProgress` (409) instead.
  func problem(with actionId: String, on deployment: DeploymentRecord) -> String? {
    if let running = requestInProgress(deployment) {
      return "request \(running.name) \(running.id) is \(running.status.rawValue)"
    }
    switch actionId {
    case DeploymentActions.powerOff:
      return machines(of: deployment).contains { $0.state == .ok && $0.powerState == "ON" }
        ? nil : "no machine of the deployment is powered on"
    case DeploymentActions.powerOn:
      return machines(of: deployment).contains { $0.state == .ok && $0.powerState == "OFF" }
        ? nil : "no machine of the deployment is powered off"
    default:
      return nil
    }
  }

  /// `Deployment.PowerOff` / `PowerOn` / `ChangeLease` / `EditTags`: 409 while a request runs, 400 for
  /// an action that is not valid now (naming why) or for inputs its schema refuses.
  func startDeploymentAction(
    _ actionId: String, _ body: ResourceActionRequest, deployment: DeploymentRecord, user: String
  ) throws -> RequestRecord {
    try checkNoRequestInProgress(deployment)
    try checkValid(actionId, problem(with: actionId, on: deployment), deployment: deployment)
    var inputs = ActionInputs(actionId, body.inputs)
    var targets: [ProvisioningPlanner.ActionTarget] = []
    var change: DeploymentChange?
    switch actionId {
    case DeploymentActions.powerOff, DeploymentActions.powerOn:
      inputs.allowOnly([])
      let (from, to) = actionId == DeploymentActions.powerOff ? ("ON", "OFF") : ("OFF", "ON")
      targets = machines(of: deployment).filter { $0.state == .ok && $0.powerState == from }.map {
        .init(name: $0.name, properties: ["powerState": .string(to)])
      }
    case DeploymentActions.changeLease:
      inputs.allowOnly([DeploymentActions.leaseInput])
      let now = Date()
      let maxDays = configuration.leases.maxDays
      let date = inputs.date(
        DeploymentActions.leaseInput, after: now, notAfter: now.addingTimeInterval(maxDays * 86_400),
        maxDays: maxDays)
      change = DeploymentChange(leaseExpireAt: date)
    default:  // EditTags
      inputs.allowOnly([DeploymentActions.tagsInput])
      change = DeploymentChange(tags: inputs.tags(DeploymentActions.tagsInput))
    }
    try inputs.check()
    return startAction(
      actionId, on: deployment, targets: targets, change: change, resourceIds: nil, body: body, user: user)
  }

  /// 400 in vRA's shape for an action that is not valid now.
  func checkValid(_ actionId: String, _ problem: String?, deployment: DeploymentRecord) throws {
    guard let problem else { return }
    throw APIError(
      .badRequest, "Action '\(actionId)' is not valid on deployment '\(deployment.name)' now: \(problem)",
      errorCode: 10400, messageId: "deployment.action.not.valid")
  }

  /// Creates the action's request (the deployment's last, UPDATE_INPROGRESS), schedules its timeline
  /// and submits it to the approval policies.
  func startAction(
    _ actionId: String, on deployment: DeploymentRecord, targets: [ProvisioningPlanner.ActionTarget],
    change: DeploymentChange?, resourceIds: [String]?, body: ResourceActionRequest, user: String
  ) -> RequestRecord {
    let now = Date()
    let planner = ProvisioningPlanner(durations: configuration.durations, timeScale: configuration.timeScale)
    let plan = planner.planAction(actionId, targets: targets, deploymentChange: change, start: now)
    var updated = deployment
    updated.status = .updateInProgress
    updated.lastUpdatedAt = now
    updated.lastUpdatedBy = user
    let request = RequestRecord(
      id: StableID.random(), orgId: deployment.orgId, deploymentId: deployment.id,
      name: DeploymentActions.displayName(actionId), actionId: actionId, blueprintId: nil, catalogItemId: nil,
      blueprintRequestId: nil, requestedBy: user, status: .created, completedTasks: 0, totalTasks: plan.totalTasks,
      details: nil, inputs: body.inputs ?? [:], outputs: nil, outputExpressions: [:], createdAt: now,
      initializedAt: nil, completedAt: nil, updatedAt: now, events: [], steps: plan.steps, nextStep: 0,
      plannedResources: [], resourceIds: resourceIds, reason: body.reason)
    updated.requestIds.append(request.id)
    deployments[deployment.id] = updated
    return submit(request, policyAction: actionId, deployment: updated, restore: DeploymentRestore(deployment))
  }
}

extension ResourceRecord {
  /// `ON` / `OFF` for a provisioned machine.
  var powerState: String? { properties["powerState"]?.stringValue }
}

extension DeploymentRestore {
  init(_ deployment: DeploymentRecord) {
    self.init(
      status: deployment.status, inputs: deployment.inputs, content: deployment.content,
      blueprintId: deployment.blueprintId, blueprintVersion: deployment.blueprintVersion,
      catalogItemVersion: deployment.catalogItemVersion)
  }
}
