import Foundation
import VRAClient
import VRAModels

/// The request one stage sends to vRA, built by one function from what the stage resolved to:
/// `StageSubmitter` sends it; `apply --dry-run` prints it, with placeholders for the ids only vRA
/// knows, so what the dry run shows is what a run sends.
public enum StageRequest: Sendable {
  /// `POST /blueprint/api/blueprint-requests`: a template sent inline, or a blueprint by id and version.
  case blueprint(BlueprintRequest)
  /// `POST /catalog/api/items/{id}/request`.
  case catalogItem(itemId: String, CatalogItemRequest)
  /// `POST /deployment/api/deployments/{id}/requests`, or the resource's
  /// `.../resources/{resourceId}/requests`: a day-2 action.
  case action(deploymentId: String, resourceId: String?, ResourceActionRequest)

  /// What to deploy, already resolved: no `${...}` left in the name or the inputs.
  public struct Order: Sendable {
    public var source: StageSource
    public var deploymentName: String
    public var projectId: String
    public var inputs: [String: JSONValue]
    public var reason: String

    public init(
      source: StageSource, deploymentName: String, projectId: String, inputs: [String: JSONValue], reason: String
    ) {
      self.source = source
      self.deploymentName = deploymentName
      self.projectId = projectId
      self.inputs = inputs
      self.reason = reason
    }

    /// The reason every request of a run carries, so a vRA operator can tell whose it is.
    public static func reason(runId: some CustomStringConvertible, stage: String) -> String {
      "vra-engine run \(runId) stage \(stage)"
    }
  }

  /// What only vRA (or the file system) knows, looked up before submitting: the template's text,
  /// the blueprint's or catalog item's id.
  public struct Targets: Sendable {
    public var content: String?
    public var blueprintId: String?
    public var catalogItemId: String?
    /// An action stage's deployment, and resource when it acts on one.
    public var deploymentId: String?
    public var resourceId: String?

    public init(
      content: String? = nil, blueprintId: String? = nil, catalogItemId: String? = nil, deploymentId: String? = nil,
      resourceId: String? = nil
    ) {
      self.content = content
      self.blueprintId = blueprintId
      self.catalogItemId = catalogItemId
      self.deploymentId = deploymentId
      self.resourceId = resourceId
    }
  }

  public init(_ order: Order, targets: Targets) {
    switch order.source {
    case .template:
      self = .blueprint(
        BlueprintRequest(
          content: targets.content, deploymentName: order.deploymentName, projectId: order.projectId,
          inputs: order.inputs, reason: order.reason))
    case .blueprint(_, let version):
      self = .blueprint(
        BlueprintRequest(
          blueprintId: targets.blueprintId, blueprintVersion: version, deploymentName: order.deploymentName,
          projectId: order.projectId, inputs: order.inputs, reason: order.reason))
    case .catalogItem(_, let version):
      self = .catalogItem(
        itemId: targets.catalogItemId ?? "",
        CatalogItemRequest(
          deploymentName: order.deploymentName, projectId: order.projectId, inputs: order.inputs,
          reason: order.reason, version: version))
    case .action(let action):
      self = .action(
        deploymentId: targets.deploymentId ?? "", resourceId: targets.resourceId,
        ResourceActionRequest(actionId: action.actionId, inputs: order.inputs, reason: action.reason ?? order.reason))
    case .check:
      // `StageRunner` runs a check stage itself; nothing asks vRA for one.
      preconditionFailure("a check stage sends no request to vRA")
    }
  }

  /// `POST` and the path, as the client sends it.
  public var target: String {
    switch self {
    case .blueprint: "POST \(VRAClient.blueprintRequests)"
    case .catalogItem(let itemId, _): "POST \(VRAClient.catalogItems)/\(itemId)/request"
    case .action(let deploymentId, let resourceId?, _):
      "POST /deployment/api/deployments/\(deploymentId)/resources/\(resourceId)/requests"
    case .action(let deploymentId, nil, _): "POST /deployment/api/deployments/\(deploymentId)/requests"
    }
  }

  /// The JSON body, encoded as the client encodes it.
  public var body: JSONValue {
    let encoded: Data?
    switch self {
    case .blueprint(let request): encoded = try? VRAJSON.makeEncoder().encode(request)
    case .catalogItem(_, let request): encoded = try? VRAJSON.makeEncoder().encode(request)
    case .action(_, _, let request): encoded = try? VRAJSON.makeEncoder().encode(request)
    }
    return encoded.flatMap { try? VRAJSON.makeDecoder().decode(JSONValue.self, from: $0) } ?? .object([:])
  }
}
