import Foundation
import VRAModels

extension SimulatorState {
  /// Applies one scheduled step to a request and everything it drives (its deployment,
  /// its blueprint request), stamping each with the step's own time so that
  /// `lastUpdatedAt` watermarks stay exact however late the step is applied.
  func apply(_ step: ScheduledStep, to request: inout RequestRecord) {
    let at = step.at
    request.updatedAt = at
    guard var deployment = deployments[request.deploymentId] else { return }
    deployment.lastUpdatedAt = at
    switch step.kind {
    case .status(let status):
      request.status = status
      if status == .initialization {
        request.initializedAt = at
        request.completedTasks += 1
        addEvent(&request, "Request initialization", at: at)
      } else if status == .checkingApproval {
        addEvent(&request, "Checking approval", at: at)
      } else if status == .approvalPending {
        let policy = request.approvalId.flatMap { approvals[$0]?.policy }
        addEvent(&request, "Waiting for approval", details: policy.map { "Approval policy '\($0)'" }, at: at)
      } else if status == .inProgress {
        if let actionId = request.actionId, !request.isDelete, !request.isUpdate {
          addEvent(&request, "Running \(DeploymentActions.displayName(actionId))", at: at)
        } else {
          let what = request.isDelete ? "Deleting" : request.isUpdate ? "Updating" : "Provisioning"
          addEvent(&request, "\(what) resources", at: at)
        }
      } else if status == .completion {
        addEvent(&request, "Completing request", at: at)
      }
      setBlueprintRequest(request, status: .started, at: at)

    case .resourceStarted(let name):
      if let index = request.plannedResources.firstIndex(where: { $0.name == name }) {
        var resource = request.plannedResources.remove(at: index)
        resource.createdAt = at
        // Known while it provisions, so a check can wait on it (it answers 503 until ready).
        if let url = ResourcePropertyFactory.healthURL(for: resource, in: deployment.id, urls: appURLs) {
          resource.properties["healthUrl"] = url
        }
        deployment.resources.append(resource)
      }
      addEvent(&request, "Allocating and provisioning \(name)", at: at, resource: deployment.resource(named: name))

    case .resourceReady(let name):
      guard let index = deployment.resources.firstIndex(where: { $0.name == name }) else { break }
      let factory = ResourcePropertyFactory(deployment: deployment, inputs: request.inputs, appURLs: appURLs)
      deployment.resources[index].properties = factory.properties(for: deployment.resources[index])
      deployment.resources[index].state = .ok
      request.completedTasks += 1
      addEvent(&request, "\(name) provisioned", at: at, resource: deployment.resources[index])

    case .resourceFailed(let name, let message):
      if let index = deployment.resources.firstIndex(where: { $0.name == name }) {
        deployment.resources[index].state = .tainted
      }
      request.details = message
      addEvent(&request, "\(name) failed", details: message, at: at, resource: deployment.resource(named: name))

    case .resourceUpdateStarted(let name):
      addEvent(&request, "Updating \(name)", at: at, resource: deployment.resource(named: name))

    case .resourceUpdated(let name):
      guard let plannedIndex = request.plannedResources.firstIndex(where: { $0.name == name }) else { break }
      let planned = request.plannedResources.remove(at: plannedIndex)
      guard let index = deployment.resources.firstIndex(where: { $0.name == name }) else { break }
      // Same id and creation time; the new template's properties, evaluated now.
      let factory = ResourcePropertyFactory(deployment: deployment, inputs: request.inputs, appURLs: appURLs)
      deployment.resources[index].properties = factory.properties(for: planned)
      deployment.resources[index].dependsOn = planned.dependsOn
      deployment.resources[index].state = .ok
      request.completedTasks += 1
      addEvent(&request, "\(name) updated", at: at, resource: deployment.resources[index])

    case .resourceActionStarted(let name, let actionId):
      addEvent(
        &request, "\(DeploymentActions.displayName(actionId)) \(name)", at: at,
        resource: deployment.resource(named: name))

    case .resourceChanged(let name, let properties):
      if let index = deployment.resources.firstIndex(where: { $0.name == name }) {
        deployment.resources[index].properties.merge(properties) { _, new in new }
      }
      request.completedTasks += 1
      addEvent(&request, "\(name) updated", at: at, resource: deployment.resource(named: name))

    case .deploymentChanged(let change):
      if let lease = change.leaseExpireAt {
        deployment.leaseExpireAt = lease
        addEvent(&request, "Lease set to end at \(VRAJSON.formatTimestamp(lease))", at: at)
      }
      if let tags = change.tags {
        deployment.tags = tags
        let rendered = JSONValue.array(tags.map { ["key": .string($0.key), "value": .string($0.value)] })
        for index in deployment.resources.indices { deployment.resources[index].properties["tags"] = rendered }
        addEvent(
          &request, "Tags changed", details: tags.map { "\($0.key):\($0.value)" }.joined(separator: ", "), at: at)
      }
      request.completedTasks += 1

    case .approved(let by, let reason):
      request.approvedAt = at
      addEvent(&request, "Request approved", details: "Approved by \(by)" + (reason.map { ": \($0)" } ?? ""), at: at)

    case .rejected(let by, let reason):
      let details = Self.rejectionDetails(by: by, reason: reason)
      request.status = .approvalRejected
      request.completedAt = at
      request.details = details
      request.heldSteps = nil
      endUnapproved(request, &deployment)
      addEvent(&request, "Request rejected", details: details, at: at)
      setBlueprintRequest(request, status: .failed, at: at, failure: details)

    case .resourceDeleted(let name):
      deployment.resources.removeAll { $0.name == name }
      request.completedTasks += 1
      addEvent(&request, "\(name) deleted", at: at)

    case .succeeded:
      request.status = .successful
      request.completedAt = at
      request.completedTasks = request.totalTasks
      if request.isDelete {
        deployment.status = .deleteSuccessful
        deployment.deleted = true
      } else {
        deployment.status = request.actionId == nil ? .createSuccessful : .updateSuccessful
        if request.actionId == nil || request.isUpdate {
          request.outputs = OutputResolver(deployment: deployment, inputs: request.inputs)
            .resolve(request.outputExpressions)
        }
      }
      addEvent(&request, "Request completed", at: at)
      setBlueprintRequest(request, status: .finished, at: at)

    case .failed(let message):
      request.status = .failed
      request.completedAt = at
      request.details = message
      deployment.status = failedStatus(of: request)
      addEvent(&request, "Request failed", details: message, at: at)
      setBlueprintRequest(request, status: .failed, at: at, failure: message)

    case .aborted(let by):
      request.status = .aborted
      request.completedAt = at
      request.details = "Request cancelled by \(by)"
      for index in deployment.resources.indices where deployment.resources[index].state == .partial {
        deployment.resources[index].state = .tainted
      }
      if request.awaitsApproval {
        // Cancelled while waiting for approval: nothing ran, and nobody needs to decide any more.
        request.heldSteps = nil
        if let id = request.approvalId { approvals[id] = nil }
        endUnapproved(request, &deployment)
      } else {
        deployment.status = failedStatus(of: request)
      }
      addEvent(&request, "Request cancelled", details: "Cancelled by \(by)", at: at)
      setBlueprintRequest(request, status: .cancelled, at: at, failure: "Request cancelled by \(by)")
    }
    deployments[deployment.id] = deployment
  }

  private func failedStatus(of request: RequestRecord) -> DeploymentStatus {
    request.isDelete ? .deleteFailed : request.actionId == nil ? .createFailed : .updateFailed
  }

  /// A request that ended before it was approved did nothing: the deployment is put back as it was
  /// (a new deployment, which had nothing before, is CREATE_FAILED).
  private func endUnapproved(_ request: RequestRecord, _ deployment: inout DeploymentRecord) {
    guard let restore = request.restore else {
      deployment.status = failedStatus(of: request)
      return
    }
    deployment.status = restore.status
    deployment.inputs = restore.inputs
    deployment.content = restore.content
    deployment.blueprintId = restore.blueprintId
    deployment.blueprintVersion = restore.blueprintVersion
    deployment.catalogItemVersion = restore.catalogItemVersion
  }

  private func addEvent(
    _ request: inout RequestRecord, _ name: String, details: String? = nil, at: Date,
    resource: ResourceRecord? = nil
  ) {
    request.events.append(
      EventRecord(
        id: StableID.random(), name: name, details: details, resourceName: resource?.name,
        resourceType: resource?.type, timestamp: at))
  }

  private func setBlueprintRequest(
    _ request: RequestRecord, status: BlueprintRequestStatus, at: Date, failure: String? = nil
  ) {
    guard let id = request.blueprintRequestId, var blueprintRequest = blueprintRequests[id] else { return }
    guard !blueprintRequest.status.isTerminal else { return }
    blueprintRequest.status = status
    blueprintRequest.updatedAt = at
    if let failure { blueprintRequest.failureMessage = failure }
    blueprintRequests[id] = blueprintRequest
  }
}

extension DeploymentRecord {
  func resource(named name: String) -> ResourceRecord? { resources.first { $0.name == name } }
}
