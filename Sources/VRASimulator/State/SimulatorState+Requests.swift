import CloudTemplate
import Foundation
import VRAModels

extension SimulatorState {
  /// What a create call asks for, whichever API it came through.
  struct CreateOrder {
    var projectId: String?
    var deploymentName: String?
    var description: String?
    var reason: String?
    var blueprintId: String?
    var blueprintVersion: String?
    var content: String?
    var inputs: [String: JSONValue]
    var plan: Bool = false
    var simulate: Bool = false
    var catalogItemId: String?
    /// Template resources to fail for this request only (`X-Sim-Fault` / fault rules).
    var failResources: Set<String> = []
  }

  /// Accepts a blueprint or catalog request: validates it like vRA (404 for unknown
  /// project or blueprint, 400 with `validationMessages` for bad content or inputs),
  /// then creates the deployment and schedules its whole create timeline.
  func createBlueprintRequest(_ order: CreateOrder, org: String, user: String) throws -> BlueprintRequestRecord {
    guard let projectRef = order.projectId, !projectRef.isEmpty else {
      throw APIError.badRequest("projectId is required")
    }
    guard let project = project(projectRef, org: org) else { throw APIError.notFound("Project", projectRef) }

    var content = order.content
    var versionLabel = order.blueprintVersion
    if let blueprintId = order.blueprintId {
      let blueprint = try self.blueprint(blueprintId, org: org)
      if let version = order.blueprintVersion {
        guard let record = blueprint.version(version) else {
          throw APIError.notFound("Blueprint version", "\(blueprintId):\(version)")
        }
        content = record.content
        versionLabel = record.version
      } else {
        content = blueprint.content
        versionLabel = nil
      }
    }
    guard let content, !content.isEmpty else {
      throw APIError.badRequest("Either blueprintId or content is required")
    }

    let template: Template
    let graph: ResourceGraph
    do {
      template = try TemplateParser.parse(content, fileName: "blueprint.yaml")
      graph = try ResourceGraph(template: template)
    } catch {
      let messages = error.diagnostics.map(\.validationMessage)
      throw APIError(
        .badRequest, "Blueprint content is invalid: " + messages.compactMap(\.message).joined(separator: "; "),
        errorCode: 10400, messageId: "blueprint.validation.failed", validationMessages: messages)
    }
    let templateFindings = TemplateValidator.validate(template).filter { $0.severity == .error }
    let binding = InputValidator.validate(order.inputs, against: template)
    let inputMessages = binding.violations.map { violation in
      BlueprintValidationMessage(
        message: violation.message, path: violation.path, type: .error,
        metadata: ["rule": violation.rule].merging(violation.line.map { ["line": String($0)] } ?? [:]) { $1 })
    }
    let errors = templateFindings.map(\.validationMessage) + inputMessages
    guard errors.isEmpty else {
      throw APIError(
        .badRequest, "Invalid request: " + errors.compactMap(\.message).joined(separator: "; "), errorCode: 10400,
        messageId: "blueprint.request.invalid", validationMessages: errors)
    }

    let now = Date()
    var request = BlueprintRequestRecord(
      id: StableID.random(), orgId: org, projectId: project.id, deploymentId: nil,
      deploymentName: order.deploymentName, blueprintId: order.blueprintId, blueprintVersion: versionLabel,
      content: order.blueprintId == nil ? content : nil, inputs: binding.boundInputs, plan: order.plan,
      simulate: order.simulate, reason: order.reason, description: order.description, status: .created,
      validationMessages: TemplateValidator.validate(template).filter { $0.severity != .error }.map(
        \.validationMessage),
      createdAt: now, createdBy: user, updatedAt: now)

    if order.plan || order.simulate {
      // Planning and simulation provision nothing: the answer is the validated plan.
      request.status = .finished
      blueprintRequests[request.id] = request
      markChanged()
      return request
    }

    let name = order.deploymentName.flatMap { $0.isEmpty ? nil : $0 } ?? "Deployment_\(request.id.prefix(8))"
    if configuration.uniqueDeploymentNames,
      deployments.values.contains(where: { $0.orgId == org && $0.name == name && !$0.deleted })
    {
      throw APIError(
        .conflict, "Deployment with name '\(name)' already exists", errorCode: 10409,
        messageId: "deployment.name.exists")
    }

    let planner = ProvisioningPlanner(durations: configuration.durations, timeScale: configuration.timeScale)
    let configuredNames = configuration.faults.enabled ? configuration.faults.failResources : []
    let percent = configuration.faults.enabled ? configuration.faults.failResourcePercent : 0
    let timesLeft = configuration.faults.failResourcesTimes.map { $0 - configuredResourceFailures }
    var generator = random
    var configuredFailures = 0
    let plan = planner.planCreate(
      template: template, graph: graph, inputs: binding.boundInputs, start: now,
      shouldFail: { name in
        if FaultSettings.matches(name, anyOf: order.failResources) { return true }
        if FaultSettings.matches(name, anyOf: configuredNames), timesLeft.map({ $0 > configuredFailures }) ?? true {
          configuredFailures += 1
          return true
        }
        return percent > 0 && Double.random(in: 0..<100, using: &generator) < percent
      })
    random = generator
    configuredResourceFailures += configuredFailures

    let deploymentId = StableID.random()
    let requestId = StableID.random()
    deployments[deploymentId] = DeploymentRecord(
      id: deploymentId, orgId: org, projectId: project.id, name: name, description: order.description,
      blueprintId: order.blueprintId, blueprintVersion: versionLabel, catalogItemId: order.catalogItemId,
      catalogItemVersion: order.catalogItemId == nil ? nil : versionLabel, inputs: binding.boundInputs,
      status: .createInProgress, createdAt: now, createdBy: user, lastUpdatedAt: now, lastUpdatedBy: user,
      requestIds: [requestId], resources: [], deleted: false)

    request.deploymentId = deploymentId
    request.deploymentName = name
    request.requestId = requestId
    blueprintRequests[request.id] = request
    schedule(
      RequestRecord(
        id: requestId, orgId: org, deploymentId: deploymentId, name: "Create", actionId: nil,
        blueprintId: order.blueprintId.map { "\($0):\(versionLabel ?? "draft")" },
        catalogItemId: order.catalogItemId.map { "\($0):\(versionLabel ?? "")" }, blueprintRequestId: request.id,
        requestedBy: user, status: .created, completedTasks: 0, totalTasks: plan.totalTasks, details: nil,
        inputs: binding.boundInputs, outputs: nil,
        outputExpressions: Dictionary(
          template.outputs.map { ($0.name, $0.value ?? .null) }, uniquingKeysWith: { first, _ in first }),
        createdAt: now, initializedAt: nil, completedAt: nil, updatedAt: now, events: [], steps: plan.steps,
        nextStep: 0, plannedResources: plan.resources))
    return request
  }

  func blueprintRequest(_ id: String, org: String) throws -> BlueprintRequestRecord {
    guard let request = blueprintRequests[id], request.orgId == org else {
      throw APIError.notFound("Blueprint request", id)
    }
    return request
  }

  func listBlueprintRequests(org: String, deploymentId: String?) -> [BlueprintRequestRecord] {
    blueprintRequests.values
      .filter { $0.orgId == org && (deploymentId == nil || $0.deploymentId == deploymentId) }
      .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
  }

  /// Cancels a running blueprint request: its deployment request ends ABORTED now.
  func cancelBlueprintRequest(_ id: String, org: String, user: String) throws {
    var blueprintRequest = try self.blueprintRequest(id, org: org)
    guard !blueprintRequest.status.isTerminal, let requestId = blueprintRequest.requestId,
      var request = requests[requestId], !request.status.isTerminal
    else {
      throw APIError(
        .badRequest, "Blueprint request '\(id)' is \(blueprintRequest.status.rawValue) and cannot be cancelled",
        errorCode: 10400, messageId: "blueprint.request.not.cancellable")
    }
    let now = Date()
    blueprintRequest.cancelRequestedAt = now
    blueprintRequest.cancelRequestedBy = user
    blueprintRequests[id] = blueprintRequest
    request.steps = Array(request.steps[..<request.nextStep]) + [ScheduledStep(at: now, kind: .aborted(by: user))]
    schedule(request)
    advance(to: now)
  }

  func deleteBlueprintRequest(_ id: String, org: String, force: Bool) throws {
    let request = try blueprintRequest(id, org: org)
    guard request.status.isTerminal || force else {
      throw APIError(
        .badRequest, "Blueprint request '\(id)' is still running; cancel it first or use force=true",
        errorCode: 10400)
    }
    blueprintRequests[id] = nil
    markChanged()
  }

  /// Starts deleting a deployment: a `Deployment.Delete` request removes its
  /// resources in reverse order, then the deployment.
  func deleteDeployment(_ id: String, org: String, user: String) throws -> RequestRecord {
    var deployment = try self.deployment(id, org: org)
    if let running = deployment.requestIds.compactMap({ requests[$0] }).first(where: { !$0.status.isTerminal }) {
      throw APIError(
        .conflict, "Deployment '\(deployment.name)' has a request in progress (\(running.id))", errorCode: 10409,
        messageId: "deployment.request.in.progress")
    }
    let now = Date()
    let planner = ProvisioningPlanner(durations: configuration.durations, timeScale: configuration.timeScale)
    let steps = planner.planDelete(resources: deployment.resources, start: now)
    let request = RequestRecord(
      id: StableID.random(), orgId: org, deploymentId: id, name: "Delete", actionId: "Deployment.Delete",
      blueprintId: nil, catalogItemId: nil, blueprintRequestId: nil, requestedBy: user, status: .created,
      completedTasks: 0, totalTasks: deployment.resources.count + 2, details: nil, inputs: [:], outputs: nil,
      outputExpressions: [:], createdAt: now, initializedAt: nil, completedAt: nil, updatedAt: now, events: [],
      steps: steps, nextStep: 0, plannedResources: [])
    deployment.status = .deleteInProgress
    deployment.lastUpdatedAt = now
    deployment.lastUpdatedBy = user
    deployment.requestIds.append(request.id)
    deployments[id] = deployment
    schedule(request)
    return request
  }

  func deployment(_ id: String, org: String, includeDeleted: Bool = false) throws -> DeploymentRecord {
    guard let deployment = deployments[id], deployment.orgId == org, includeDeleted || !deployment.deleted else {
      throw APIError.notFound("Deployment", id)
    }
    return deployment
  }

  func request(_ id: String, org: String) throws -> RequestRecord {
    guard let request = requests[id], request.orgId == org else { throw APIError.notFound("Request", id) }
    return request
  }
}
