import CloudTemplate
import Foundation
import VRAModels

/// Deployment day-2 actions: `GET .../deployments/{id}/actions` and
/// `POST .../deployments/{id}/requests` for `Deployment.Update` and `Deployment.Delete`.
extension SimulatorState {
  /// The actions of a deployment, as vRA lists them: `Deployment.Update` for a deployment made from
  /// a blueprint or catalog item (with its template's inputs as the schema, each defaulting to the
  /// current value), and `Deployment.Delete`. Neither is `valid` while a request is in progress.
  func actions(of deploymentId: String, org: String) throws -> [DeploymentAction] {
    let deployment = try self.deployment(deploymentId, org: org)
    let idle = requestInProgress(deployment) == nil
    var actions: [DeploymentAction] = []
    if let template = updatableTemplate(deployment) {
      actions.append(
        DeploymentAction(
          id: DeploymentActions.update, name: "Update", displayName: "Update",
          description: "Update the deployment with new inputs", valid: idle, actionType: "RESOURCE_ACTION",
          schema: updateSchema(template, current: deployment.inputs), orgId: deployment.orgId,
          projectId: deployment.projectId))
    }
    actions.append(
      DeploymentAction(
        id: DeploymentActions.delete, name: "Delete", displayName: "Delete",
        description: "Delete the deployment and all its resources", valid: idle, actionType: "RESOURCE_ACTION",
        schema: ["type": "object", "properties": [:]], orgId: deployment.orgId, projectId: deployment.projectId))
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
  /// given inputs over the current ones; `Deployment.Delete` deletes. 404 for an action the
  /// deployment does not have, 400 for inputs the template refuses, 409 while a request runs.
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
