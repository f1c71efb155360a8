import CloudTemplate
import Foundation
import VRAModels

/// Updating a deployment in place: a blueprint request with `deploymentId`, or the
/// `Deployment.Update` action. Both end up in `startUpdate`.
extension SimulatorState {
  /// The deployment's request still running, if any: vRA runs one request at a time per deployment.
  func requestInProgress(_ deployment: DeploymentRecord) -> RequestRecord? {
    deployment.requestIds.compactMap { requests[$0] }.first { !$0.status.isTerminal }
  }

  /// 409 in vRA's shape, naming the request in progress.
  func checkNoRequestInProgress(_ deployment: DeploymentRecord) throws {
    guard let running = requestInProgress(deployment) else { return }
    throw APIError(
      .conflict,
      "Deployment '\(deployment.name)' has a request in progress (\(running.name) \(running.id), "
        + "\(running.status.rawValue)); wait for it to finish",
      errorCode: 10409, messageId: "deployment.request.in.progress")
  }

  /// `POST /blueprint/api/blueprint-requests` with `deploymentId`: 404 for an unknown deployment
  /// (or one of another org), 400 for a template or inputs the new template refuses, then an
  /// update (or, with `plan`, a what-if of it).
  func updateThroughBlueprintRequest(
    _ deploymentId: String, _ order: CreateOrder, org: String, user: String
  ) throws -> BlueprintRequestRecord {
    let deployment = try self.deployment(deploymentId, org: org)
    if let projectRef = order.projectId, !projectRef.isEmpty {
      guard let project = project(projectRef, org: org) else { throw APIError.notFound("Project", projectRef) }
      guard project.id == deployment.projectId else {
        throw APIError.badRequest("Deployment '\(deployment.name)' does not belong to project '\(projectRef)'")
      }
    }
    let validated = try validate(order, org: org)
    if order.plan {
      var request = newBlueprintRequest(for: deployment, validated, order: order, user: user)
      attachPlan(to: &request, validated, deployment: deployment)
      return startPlan(request)
    }
    return try startUpdate(deployment, validated, order: order, user: user).blueprintRequest
  }

  /// Starts an update: 409 while another request runs; then, in this same call, the `Update`
  /// request becomes the deployment's last request, the deployment takes the new inputs and
  /// template and shows UPDATE_INPROGRESS, and the timeline is scheduled.
  func startUpdate(
    _ deployment: DeploymentRecord, _ validated: ValidatedTemplate, order: CreateOrder, user: String
  ) throws -> (blueprintRequest: BlueprintRequestRecord, request: RequestRecord) {
    try checkNoRequestInProgress(deployment)
    var blueprintRequest = newBlueprintRequest(for: deployment, validated, order: order, user: user)
    let diff = attachPlan(to: &blueprintRequest, validated, deployment: deployment)
    let now = blueprintRequest.createdAt
    let planner = ProvisioningPlanner(durations: configuration.durations, timeScale: configuration.timeScale)
    let forced =
      configuration.faults.enabled && FaultSettings.matches(deployment.name, anyOf: configuration.faults.failUpdates)
      ? "Update of deployment '\(deployment.name)' failed: simulated fault (faults.failUpdates)" : nil
    let plan = withResourceFailures(order.failResources) { shouldFail in
      planner.planUpdate(diff.changes, start: now, failure: forced, shouldFail: shouldFail)
    }

    let before = DeploymentRestore(deployment)
    var deployment = deployment
    let requestId = StableID.random()
    // vRA shows the new inputs and template at once, and keeps them if the update fails.
    deployment.inputs = validated.inputs
    deployment.content = validated.content
    if let catalogItemId = deployment.catalogItemId, order.blueprintId == catalogItemId {
      deployment.catalogItemVersion = validated.versionLabel
    }
    if deployment.catalogItemId == nil || order.blueprintId != nil {
      deployment.blueprintId = order.blueprintId
      deployment.blueprintVersion = order.blueprintId == nil ? nil : validated.versionLabel
    }
    deployment.status = .updateInProgress
    deployment.lastUpdatedAt = now
    deployment.lastUpdatedBy = user
    deployment.requestIds.append(requestId)
    deployments[deployment.id] = deployment

    blueprintRequest.requestId = requestId
    blueprintRequests[blueprintRequest.id] = blueprintRequest
    let request = RequestRecord(
      id: requestId, orgId: deployment.orgId, deploymentId: deployment.id, name: "Update",
      actionId: DeploymentActions.update,
      blueprintId: order.blueprintId.map { "\($0):\(validated.versionLabel ?? "draft")" },
      catalogItemId: deployment.catalogItemId.map { "\($0):\(deployment.catalogItemVersion ?? "")" },
      blueprintRequestId: blueprintRequest.id, requestedBy: user, status: .created, completedTasks: 0,
      totalTasks: plan.totalTasks, details: nil, inputs: validated.inputs, outputs: nil,
      outputExpressions: Dictionary(
        validated.template.outputs.map { ($0.name, $0.value ?? .null) }, uniquingKeysWith: { first, _ in first }),
      createdAt: now, initializedAt: nil, completedAt: nil, updatedAt: now, events: [], steps: plan.steps,
      nextStep: 0, plannedResources: plan.resources, reason: order.reason)
    let submitted = submit(
      request, policyAction: DeploymentActions.update, deployment: deployment, restore: before)
    return (blueprintRequest, submitted)
  }

  /// A blueprint request on an existing deployment (an update or a what-if of one).
  private func newBlueprintRequest(
    for deployment: DeploymentRecord, _ validated: ValidatedTemplate, order: CreateOrder, user: String
  ) -> BlueprintRequestRecord {
    let now = Date()
    return BlueprintRequestRecord(
      id: StableID.random(), orgId: deployment.orgId, projectId: deployment.projectId, deploymentId: deployment.id,
      deploymentName: deployment.name, blueprintId: order.blueprintId, blueprintVersion: validated.versionLabel,
      content: order.blueprintId == nil ? validated.content : nil, inputs: validated.inputs, plan: order.plan,
      simulate: order.simulate, reason: order.reason, description: order.description, status: .created,
      validationMessages: validated.warnings, createdAt: now, createdBy: user, updatedAt: now)
  }
}
