/// What a blueprint request does to each resource (`BlueprintResourcesPlan`, from
/// `GET /blueprint/api/blueprint-requests/{id}/resources-plan`): vRA's what-if when the request
/// was sent with `plan: true`, the plan it followed otherwise.
public struct BlueprintResourcesPlan: Codable, Sendable, Hashable {
  public var resources: [BlueprintPlanResource]?

  public init(resources: [BlueprintPlanResource]? = nil) {
    self.resources = resources
  }
}

/// One resource of a plan (`BlueprintPlanResource`): why it is touched, and its properties before
/// and after.
public struct BlueprintPlanResource: Codable, Sendable, Hashable {
  public var resourceName: String?
  public var resourceType: String?
  public var resourceReason: BlueprintPlanResourceReason?
  /// The properties as they are now (absent for a resource the request creates).
  public var oldProperties: [String: JSONValue]?
  /// The properties the request asks for (absent for a resource the request deletes).
  public var newProperties: [String: JSONValue]?
  /// Names of the resources of the plan this one waits for.
  public var dependsOnResources: [String]?
  /// Names of this resource's tasks in the `BlueprintPlan`.
  public var taskNames: [String]?

  public init(
    resourceName: String? = nil, resourceType: String? = nil, resourceReason: BlueprintPlanResourceReason? = nil,
    oldProperties: [String: JSONValue]? = nil, newProperties: [String: JSONValue]? = nil,
    dependsOnResources: [String]? = nil, taskNames: [String]? = nil
  ) {
    self.resourceName = resourceName
    self.resourceType = resourceType
    self.resourceReason = resourceReason
    self.oldProperties = oldProperties
    self.newProperties = newProperties
    self.dependsOnResources = dependsOnResources
    self.taskNames = taskNames
  }
}

/// Why a plan touches a resource: `CREATE`, `RECREATE`, `UPDATE`, `DELETE`, `ACTION`, `READ`.
public struct BlueprintPlanResourceReason: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let create: Self = "CREATE"
  /// Deleted and created again: a change vRA cannot make in place.
  public static let recreate: Self = "RECREATE"
  public static let update: Self = "UPDATE"
  public static let delete: Self = "DELETE"
  public static let action: Self = "ACTION"
  /// Only read: nothing changes.
  public static let read: Self = "READ"
  public static let documented: [Self] = [.create, .recreate, .update, .delete, .action, .read]

  /// Whether applying the plan changes this resource.
  public var changes: Bool { self != .read }
}
