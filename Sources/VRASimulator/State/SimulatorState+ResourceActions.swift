import Foundation
import VRAModels

/// Machine resource actions: `GET .../deployments/{id}/resources/{resourceId}/actions` and
/// `POST .../resources/{resourceId}/requests` for `<type>.PowerOff`, `.PowerOn` and `.Resize`.
extension SimulatorState {
  /// The actions of one resource: the three machine actions for a machine, none for anything else.
  func resourceActions(of resourceId: String, deploymentId: String, org: String) throws -> [DeploymentAction] {
    let deployment = try self.deployment(deploymentId, org: org)
    let resource = try self.resource(resourceId, of: deploymentId, org: org)
    guard MachineActions.isMachine(resource.type) else { return [] }
    return MachineActions.Kind.allCases.map { kind in
      let id = MachineActions.id(kind, type: resource.type)
      let (description, schema): (String, JSONValue) =
        switch kind {
        case .powerOff: ("Power off the machine", ActionSchemas.none)
        case .powerOn: ("Power on the machine", ActionSchemas.none)
        case .resize:
          (
            "Change the CPU count and memory of the machine",
            ActionSchemas.resize(
              cpuCount: resource.properties["cpuCount"]?.intValue ?? 2,
              totalMemoryMB: resource.properties["totalMemoryMB"]?.intValue ?? 4096)
          )
        }
      return DeploymentAction(
        id: id, name: kind.rawValue, displayName: DeploymentActions.displayName(id), description: description,
        valid: problem(with: kind, on: resource, in: deployment) == nil, actionType: "RESOURCE_ACTION",
        schema: schema, orgId: deployment.orgId, projectId: deployment.projectId, dependents: [])
    }
  }

  func resourceAction(
    _ actionId: String, of resourceId: String, deploymentId: String, org: String
  ) throws
    -> DeploymentAction
  {
    guard
      let action = try resourceActions(of: resourceId, deploymentId: deploymentId, org: org).first(where: {
        $0.id == actionId
      })
    else { throw APIError.notFound("Action", actionId) }
    return action
  }

  /// Why a machine action cannot run now; a request in progress answers 409 before this is asked.
  func problem(
    with kind: MachineActions.Kind, on resource: ResourceRecord, in deployment: DeploymentRecord
  )
    -> String?
  {
    if let running = requestInProgress(deployment) {
      return "request \(running.name) \(running.id) is \(running.status.rawValue)"
    }
    guard resource.state == .ok else { return "the machine is \(resource.state.rawValue)" }
    switch kind {
    case .powerOff: return resource.powerState == "ON" ? nil : "the machine is already powered off"
    case .powerOn: return resource.powerState == "OFF" ? nil : "the machine is already powered on"
    case .resize: return nil
    }
  }

  /// Runs a machine action: 404 for a resource or action the deployment does not have, 409 while a
  /// request runs, 400 for an action not valid now or inputs out of the schema's limits.
  func submitResourceAction(
    _ body: ResourceActionRequest, resourceId: String, deploymentId: String, org: String, user: String
  ) throws -> RequestRecord {
    let deployment = try self.deployment(deploymentId, org: org)
    let resource = try self.resource(resourceId, of: deploymentId, org: org)
    guard let actionId = body.actionId, !actionId.isEmpty else { throw APIError.badRequest("actionId is required") }
    guard let kind = MachineActions.kind(of: actionId, type: resource.type) else {
      throw APIError(
        .notFound, "Action '\(actionId)' is not available on resource '\(resource.name)'", errorCode: 10404,
        messageId: "deployment.action.not.found")
    }
    try checkNoRequestInProgress(deployment)
    try checkValid(actionId, problem(with: kind, on: resource, in: deployment), deployment: deployment)
    var inputs = ActionInputs(actionId, body.inputs)
    var properties: [String: JSONValue]
    switch kind {
    case .powerOff, .powerOn:
      inputs.allowOnly([])
      properties = ["powerState": kind == .powerOff ? "OFF" : "ON"]
    case .resize:
      inputs.allowOnly(["cpuCount", "totalMemoryMB"])
      properties = [:]
      if let cpus = inputs.integer("cpuCount", in: MachineActions.cpuRange) { properties["cpuCount"] = .int(cpus) }
      if let memory = inputs.integer("totalMemoryMB", in: MachineActions.memoryRange) {
        properties["totalMemoryMB"] = .int(memory)
      }
    }
    try inputs.check()
    return startAction(
      actionId, on: deployment, targets: [.init(name: resource.name, properties: properties)], change: nil,
      resourceIds: [resource.id], body: body, user: user)
  }
}
