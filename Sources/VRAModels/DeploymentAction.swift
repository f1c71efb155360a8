/// A day-2 action available on a deployment (the spec's `ResourceAction`, as
/// `GET /deployment/api/deployments/{id}/actions` lists it): `Deployment.Update`,
/// `Deployment.Delete`, ...
public struct DeploymentAction: Codable, Sendable, Hashable, Identifiable {
  /// `Deployment.Update`: what `ResourceActionRequest.actionId` names.
  public var id: String?
  public var name: String?
  public var displayName: String?
  public var description: String?
  /// False while the action cannot run now (a request is in progress on the deployment).
  public var valid: Bool?
  /// `RESOURCE_ACTION` or `RESOURCE_EXTENSION`.
  public var actionType: String?
  /// The action's inputs as JSON Schema (for `Deployment.Update`: the template's inputs).
  public var schema: JSONValue?
  public var orgId: String?
  public var projectId: String?
  public var dependents: [String]?

  public init(
    id: String?, name: String? = nil, displayName: String? = nil, description: String? = nil, valid: Bool? = nil,
    actionType: String? = nil, schema: JSONValue? = nil, orgId: String? = nil, projectId: String? = nil,
    dependents: [String]? = nil
  ) {
    self.id = id
    self.name = name
    self.displayName = displayName
    self.description = description
    self.valid = valid
    self.actionType = actionType
    self.schema = schema
    self.orgId = orgId
    self.projectId = projectId
    self.dependents = dependents
  }
}

extension DeploymentAction {
  /// The `actionType` values the spec lists.
  public static let documentedActionTypes = ["RESOURCE_ACTION", "RESOURCE_EXTENSION"]
}
