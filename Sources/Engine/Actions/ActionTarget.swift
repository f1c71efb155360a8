import CloudTemplate
import Foundation
import VRAClient
import VRAModels

/// The deployment (and resource) an action stage acts on, resolved when the stage starts: another
/// stage's deployment from its outputs, or one outside the plan by name, else by id.
public struct ActionTarget: Sendable, Hashable {
  public var deploymentId: String
  public var deploymentName: String
  public var projectId: String?
  /// The resource acted on, when the action is a resource's.
  public var resourceId: String?
  public var resourceName: String?

  public init(
    deploymentId: String, deploymentName: String, projectId: String?, resourceId: String? = nil,
    resourceName: String? = nil
  ) {
    self.deploymentId = deploymentId
    self.deploymentName = deploymentName
    self.projectId = projectId
    self.resourceId = resourceId
    self.resourceName = resourceName
  }

  /// The deployment named `nameOrId` (the name first: names are what people write), or nil.
  public static func find(deployment nameOrId: String, client: VRAClient) async throws -> Deployment? {
    if let named = try await client.deployment(named: nameOrId, projectId: nil) { return named }
    do {
      return try await client.deployment(id: nameOrId)
    } catch let error as VRAError {
      // vRA answers 400 for a name that is not a UUID, 404 for an unknown UUID.
      switch error.errorClass {
      case .notFound, .validation: return nil
      default: throw error
      }
    }
  }

  /// The deployment `nameOrId` with the resource named `resource` in it.
  /// - Throws: `StageFailure` naming what is missing.
  public static func resolve(
    deployment nameOrId: String, resource: String?, client: VRAClient
  ) async throws -> ActionTarget {
    guard let deployment = try await find(deployment: nameOrId, client: client), let id = deployment.id else {
      throw StageFailure(
        message: "no deployment '\(nameOrId)' in vRA", hint: "name the deployment exactly, or give its id",
        errorClass: .notFound)
    }
    return try await with(
      resource: resource, deploymentId: id, name: deployment.name, project: deployment.projectId, client: client)
  }

  /// The target once the deployment is known: the resource named `resource` looked up in it.
  public static func with(
    resource: String?, deploymentId: String, name: String, project: String?, client: VRAClient
  ) async throws -> ActionTarget {
    var target = ActionTarget(deploymentId: deploymentId, deploymentName: name, projectId: project)
    guard let resource else { return target }
    let resources = try await client.deploymentResources(deploymentId: deploymentId).collect()
    guard let found = resources.first(where: { $0.name == resource }), let resourceId = found.id else {
      let names = resources.map(\.name)
      throw StageFailure(
        message: "deployment '\(name)' has no resource '\(resource)'",
        hint: names.isEmpty ? "it has no resources" : "its resources: \(names.joined(separator: ", "))",
        errorClass: .notFound)
    }
    target.resourceId = resourceId
    target.resourceName = resource
    return target
  }

  /// The action `actionId` as vRA lists it for the deployment (or the resource), with its input
  /// schema and whether it is valid now.
  /// - Throws: `StageFailure` (class `validation`) naming the actions there are, when there is no such action.
  public func action(_ actionId: String, client: VRAClient) async throws -> DeploymentAction {
    do {
      if let resourceId {
        return try await client.resourceAction(deploymentId: deploymentId, resourceId: resourceId, actionId: actionId)
      }
      return try await client.deploymentAction(deploymentId: deploymentId, actionId: actionId)
    } catch let error as VRAError where error.errorClass == .notFound {
      let listed =
        if let resourceId {
          try? await client.resourceActions(deploymentId: deploymentId, resourceId: resourceId)
        } else {
          try? await client.deploymentActions(deploymentId: deploymentId)
        }
      let ids = (listed ?? []).compactMap(\.id)
      throw StageFailure(
        message: "\(resourceName.map { "resource \($0) of " } ?? "")deployment \(deploymentName) has no action "
          + actionId,
        hint: NameSuggester.suggestion(for: actionId, among: ids).map { "did you mean '\($0)'?" }
          ?? (ids.isEmpty ? nil : "its actions: \(ids.joined(separator: ", "))"),
        errorClass: .validation)
    }
  }

  /// `Deployment.PowerOff on web-1`, `Cloud.vSphere.Machine.Resize on vm of web-1`.
  public func describe(_ actionId: String) -> String {
    "\(actionId) on \(resourceName.map { "\($0) of " } ?? "")\(deploymentName)"
  }
}
