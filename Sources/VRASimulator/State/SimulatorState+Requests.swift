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
    /// An update of this deployment (or, with `plan`, a what-if of one) instead of a create.
    var deploymentId: String?
    /// Template resources to fail for this request only (`X-Sim-Fault` / fault rules).
    var failResources: Set<String> = []
  }

  /// A template that parsed, with inputs that passed its schema.
  struct ValidatedTemplate {
    var content: String
    /// The blueprint version's label, when the template came from a blueprint version.
    var versionLabel: String?
    var template: Template
    var graph: ResourceGraph
    var inputs: [String: JSONValue]
    var warnings: [BlueprintValidationMessage]
  }

  /// Accepts a blueprint or catalog request: validates it like vRA (404 for unknown
  /// project or blueprint, 400 with `validationMessages` for bad content or inputs),
  /// then creates the deployment and schedules its whole create timeline. With a
  /// `deploymentId` it updates that deployment instead; with `plan` it only plans.
  func createBlueprintRequest(_ order: CreateOrder, org: String, user: String) throws -> BlueprintRequestRecord {
    if let deploymentId = order.deploymentId {
      return try updateThroughBlueprintRequest(deploymentId, order, org: org, user: user)
    }
    guard let projectRef = order.projectId, !projectRef.isEmpty else {
      throw APIError.badRequest("projectId is required")
    }
    guard let project = project(projectRef, org: org) else { throw APIError.notFound("Project", projectRef) }
    let validated = try validate(order, org: org)

    let now = Date()
    var request = BlueprintRequestRecord(
      id: StableID.random(), orgId: org, projectId: project.id, deploymentId: nil,
      deploymentName: order.deploymentName, blueprintId: order.blueprintId, blueprintVersion: validated.versionLabel,
      content: order.blueprintId == nil ? validated.content : nil, inputs: validated.inputs, plan: order.plan,
      simulate: order.simulate, reason: order.reason, description: order.description, status: .created,
      validationMessages: validated.warnings, createdAt: now, createdBy: user, updatedAt: now)
    attachPlan(to: &request, validated, deployment: nil)

    if order.plan {
      return startPlan(request)
    }
    if order.simulate {
      // Simulation provisions nothing: the answer is the validated request.
      request.status = .finished
      blueprintRequests[request.id] = request
      markChanged()
      return request
    }
    let template = validated.template
    let versionLabel = validated.versionLabel

    let name = order.deploymentName.flatMap { $0.isEmpty ? nil : $0 } ?? "Deployment_\(request.id.prefix(8))"
    if configuration.uniqueDeploymentNames,
      deployments.values.contains(where: { $0.orgId == org && $0.name == name && !$0.deleted })
    {
      throw APIError(
        .conflict, "Deployment with name '\(name)' already exists", errorCode: 10409,
        messageId: "deployment.name.exists")
    }

    let planner = ProvisioningPlanner(durations: configuration.durations, timeScale: configuration.timeScale)
    let plan = withResourceFailures(order.failResources) { shouldFail in
      planner.planCreate(
        template: template, graph: validated.graph, inputs: validated.inputs, start: now, shouldFail: shouldFail)
    }

    let deploymentId = StableID.random()
    let requestId = StableID.random()
    let deployment = DeploymentRecord(
      id: deploymentId, orgId: org, projectId: project.id, name: name, description: order.description,
      blueprintId: order.blueprintId, blueprintVersion: versionLabel, catalogItemId: order.catalogItemId,
      catalogItemVersion: order.catalogItemId == nil ? nil : versionLabel, inputs: validated.inputs,
      status: .createInProgress, createdAt: now, createdBy: user, lastUpdatedAt: now, lastUpdatedBy: user,
      requestIds: [requestId], resources: [], deleted: false, content: validated.content)
    deployments[deploymentId] = deployment

    request.deploymentId = deploymentId
    request.deploymentName = name
    request.requestId = requestId
    blueprintRequests[request.id] = request
    submit(
      RequestRecord(
        id: requestId, orgId: org, deploymentId: deploymentId, name: "Create", actionId: nil,
        blueprintId: order.blueprintId.map { "\($0):\(versionLabel ?? "draft")" },
        catalogItemId: order.catalogItemId.map { "\($0):\(versionLabel ?? "")" }, blueprintRequestId: request.id,
        requestedBy: user, status: .created, completedTasks: 0, totalTasks: plan.totalTasks, details: nil,
        inputs: validated.inputs, outputs: nil,
        outputExpressions: Dictionary(
          template.outputs.map { ($0.name, $0.value ?? .null) }, uniquingKeysWith: { first, _ in first }),
        createdAt: now, initializedAt: nil, completedAt: nil, updatedAt: now, events: [], steps: plan.steps,
        nextStep: 0, plannedResources: plan.resources, reason: order.reason),
      policyAction: ApprovalPolicy.createAction, deployment: deployment, restore: nil)
    return request
  }

  /// Runs `body` with the rule deciding which template resources fail: those the call named
  /// (`X-Sim-Fail-Resource`), `faults.failResources` (while `failResourcesTimes` lasts) and a random
  /// `faults.failResourcePercent`.
  func withResourceFailures<T>(_ named: Set<String>, _ body: ((String) -> Bool) -> T) -> T {
    let configuredNames = configuration.faults.enabled ? configuration.faults.failResources : []
    let percent = configuration.faults.enabled ? configuration.faults.failResourcePercent : 0
    let timesLeft = configuration.faults.failResourcesTimes.map { $0 - configuredResourceFailures }
    var generator = random
    var configuredFailures = 0
    let result = body { name in
      if FaultSettings.matches(name, anyOf: named) { return true }
      if FaultSettings.matches(name, anyOf: configuredNames), timesLeft.map({ $0 > configuredFailures }) ?? true {
        configuredFailures += 1
        return true
      }
      return percent > 0 && Double.random(in: 0..<100, using: &generator) < percent
    }
    random = generator
    configuredResourceFailures += configuredFailures
    return result
  }

  /// The order's template (inline, or a blueprint's version) parsed and checked, and its inputs
  /// bound; 404 for an unknown blueprint or version, 400 with `validationMessages` otherwise.
  func validate(_ order: CreateOrder, org: String) throws -> ValidatedTemplate {
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
    return try validate(content: content, versionLabel: versionLabel, inputs: order.inputs)
  }

  func validate(content: String, versionLabel: String?, inputs: [String: JSONValue]) throws -> ValidatedTemplate {
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
    let findings = TemplateValidator.validate(template)
    let binding = InputValidator.validate(inputs, against: template)
    let inputMessages = binding.violations.map { violation in
      BlueprintValidationMessage(
        message: violation.message, path: violation.path, type: .error,
        metadata: ["rule": violation.rule].merging(violation.line.map { ["line": String($0)] } ?? [:]) { $1 })
    }
    let errors = findings.filter { $0.severity == .error }.map(\.validationMessage) + inputMessages
    guard errors.isEmpty else {
      throw APIError(
        .badRequest, "Invalid request: " + errors.compactMap(\.message).joined(separator: "; "), errorCode: 10400,
        messageId: "blueprint.request.invalid", validationMessages: errors)
    }
    return ValidatedTemplate(
      content: content, versionLabel: versionLabel, template: template, graph: graph, inputs: binding.boundInputs,
      warnings: findings.filter { $0.severity != .error }.map(\.validationMessage))
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
    cancelNow(&request, by: user, at: now)
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
    try checkNoRequestInProgress(deployment)
    let before = DeploymentRestore(deployment)
    let now = Date()
    let planner = ProvisioningPlanner(durations: configuration.durations, timeScale: configuration.timeScale)
    let steps = planner.planDelete(resources: deployment.resources, start: now)
    let request = RequestRecord(
      id: StableID.random(), orgId: org, deploymentId: id, name: "Delete", actionId: DeploymentActions.delete,
      blueprintId: nil, catalogItemId: nil, blueprintRequestId: nil, requestedBy: user, status: .created,
      completedTasks: 0, totalTasks: deployment.resources.count + 2, details: nil, inputs: [:], outputs: nil,
      outputExpressions: [:], createdAt: now, initializedAt: nil, completedAt: nil, updatedAt: now, events: [],
      steps: steps, nextStep: 0, plannedResources: [])
    deployment.status = .deleteInProgress
    deployment.lastUpdatedAt = now
    deployment.lastUpdatedBy = user
    deployment.requestIds.append(request.id)
    deployments[id] = deployment
    return submit(request, policyAction: DeploymentActions.delete, deployment: deployment, restore: before)
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
