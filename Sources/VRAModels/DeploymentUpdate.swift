/// Body of `PATCH /deployment/api/deployments/{id}` (`DeploymentUpdate`): the fields to overwrite.
public struct DeploymentUpdate: Codable, Sendable {
  public var name: String?
  public var description: String?
  public var iconId: String?

  public init(name: String? = nil, description: String? = nil, iconId: String? = nil) {
    self.name = name
    self.description = description
    self.iconId = iconId
  }
}
