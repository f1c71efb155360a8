import CloudTemplate
import Foundation
import VRAModels

/// Deployment day-2 actions: `GET .../deployments/{id}/actions` and `POST .../deployments/{id}/requests`
/// (`Deployment.Update` and `Deployment.Delete` here; power, lease and tags in `+DayTwo`).
extension SimulatorState {
  /// The actions of a deployment, as vRA lists them: `Deployment.Update` for a deployment made from
  /// a blueprint or catalog item (with its template's inputs as the schema, each defaulting to the
  /// current value), `PowerOff` / `PowerOn` (valid when some machine is on / off), `ChangeLease`,
  /// `EditTags` and `Delete`. None is `valid` while a request is in progress.
  func actions(of deploymentId: String, org: String) throws -> [DeploymentAction] {
    let deployment = try self.deployment(deploymentId, org: org)
    func action(_ id: String, _ description: String, _ schema: JSONValue) -> DeploymentAction {
      DeploymentAction(
        id: id, name: String(id.dropFirst("Deployment.".count)), displayName: DeploymentActions.displayName(id),
        description: description, valid: problem(with: id, on: deployment) == nil, actionType: "RESOURCE_ACTION",
        schema: schema, orgId: deployment.orgId, projectId: deployment.projectId, dependents: [])
    }
    var actions: [DeploymentAction] = []
    if let template = updatableTemplate(deployment) {
      actions.append(
        action(
          DeploymentActions.update, "Update the deployment with new inputs",
          updateSchema(template, current: deployment.inputs)))
    }
    actions.append(action(DeploymentActions.powerOff, "Power off every machine of the deployment", ActionSchemas.none))
    actions.append(action(DeploymentActions.powerOn, "Power on every machine of the deployment", ActionSchemas.none))
    actions.append(
      action(
        DeploymentActions.changeLease, "Set when the deployment's lease ends",
        ActionSchemas.changeLease(current: deployment.leaseExpireAt, maxDays: configuration.leases.maxDays)))
    actions.append(
      action(
        DeploymentActions.editTags, "Replace the tags of the deployment and its resources",
        ActionSchemas.editTags(current: deployment.tags ?? [])))
    actions.append(action(DeploymentActions.delete, "Delete the deployment and all its resources", ActionSchemas.none))
    return actions
  }

  /// One action of `actions(of:)`, or 404.
  func action(_ actionId: String, of deploymentId: String, org: String) throws -> DeploymentAction {
    guard let action = try actions(of: deploymentId, org: org).first(where: { $0.id == actionId }) else {
      throw APIError.notFound("Action", actionId)
    }
    return action
  }

  /// Runs an action: `Deployment.Update` updates with the deployment's current template and the
  /// given inputs over the current ones; `Deployment.Delete` deletes; the others go to `+DayTwo`.
  /// 404 for an action the deployment does not have, 400 for inputs refused, 409 while a request runs.
  func submitAction(
    _ body: ResourceActionRequest, deploymentId: String, org: String, user: String, failResources: Set<String>
  ) throws -> RequestRecord {
    let deployment = try self.deployment(deploymentId, org: org)
    guard let actionId = body.actionId, !actionId.isEmpty else { throw APIError.badRequest("actionId is required") }
    switch actionId {
    case DeploymentActions.update where updatableTemplate(deployment) != nil:
      try checkNoRequestInProgress(deployment)
      let inputs = deployment.inputs.merging(body.inputs ?? [:]) { _, new in new }
      let validated = try validate(
        content: deployment.content ?? "", versionLabel: deployment.blueprintVersion ?? deployment.catalogItemVersion,
        inputs: inputs)
      let order = CreateOrder(
        projectId: deployment.projectId, reason: body.reason, blueprintId: deployment.blueprintId,
        blueprintVersion: validated.versionLabel, inputs: inputs, deploymentId: deployment.id,
        failResources: failResources)
      return try startUpdate(deployment, validated, order: order, user: user).request
    case DeploymentActions.delete:
      return try deleteDeployment(deploymentId, org: org, user: user)
    case DeploymentActions.powerOff, DeploymentActions.powerOn, DeploymentActions.changeLease,
      DeploymentActions.editTags:
      return try startDeploymentAction(actionId, body, deployment: deployment, user: user)
    default:
      throw APIError(
        .notFound, "Action '\(actionId)' is not available on deployment '\(deployment.name)'", errorCode: 10404,
        messageId: "deployment.action.not.found")
    }
  }

  /// The template `Deployment.Update` runs again: only for deployments made from a blueprint or a
  /// catalog item (an inline-content deployment is updated with a blueprint request instead).
  private func updatableTemplate(_ deployment: DeploymentRecord) -> Template? {
    guard deployment.blueprintId != nil || deployment.catalogItemId != nil, let content = deployment.content else {
      return nil
    }
    return try? TemplateParser.parse(content, fileName: "blueprint.yaml")
  }

  /// The template's inputs schema (the one `inputs-schema` answers), each input defaulting to its
  /// current value (encrypted ones excepted), none required since missing ones keep their value.
  private func updateSchema(_ template: Template, current: [String: JSONValue]) -> JSONValue {
    guard case .object(var schema) = InputsSchema.jsonSchema(for: template),
      case .object(var properties)? = schema["properties"]
    else { return InputsSchema.jsonSchema(for: template) }
    for input in template.inputs where !input.isEncrypted {
      guard let value = current[input.name], case .object(var property)? = properties[input.name] else { continue }
      property["default"] = value
      properties[input.name] = .object(property)
    }
    schema["properties"] = .object(properties)
    schema["required"] = []
    return .object(schema)
  }
}
