/// The tasks of a blueprint request (`BlueprintPlan`, from
/// `GET /blueprint/api/blueprint-requests/{id}/plan`), with the inputs it was planned with and the
/// outputs as far as they are known before anything is provisioned.
public struct BlueprintPlan: Codable, Sendable, Hashable {
  public var inputProperties: [String: JSONValue]?
  public var outputProperties: [String: JSONValue]?
  public var tasks: [BlueprintPlanTask]?

  public init(
    inputProperties: [String: JSONValue]? = nil, outputProperties: [String: JSONValue]? = nil,
    tasks: [BlueprintPlanTask]? = nil
  ) {
    self.inputProperties = inputProperties
    self.outputProperties = outputProperties
    self.tasks = tasks
  }
}

/// One task of a `BlueprintPlan` (`BlueprintPlanTask`): what is done to which resource, after
/// which other tasks.
public struct BlueprintPlanTask: Codable, Sendable, Hashable {
  public var name: String?
  public var resourceName: String?
  public var resourceType: String?
  public var resourceReason: BlueprintPlanResourceReason?
  public var dependsOnTasks: [String]?
  /// The task's properties (with `expand=true`).
  public var inputProperties: [String: JSONValue]?

  public init(
    name: String? = nil, resourceName: String? = nil, resourceType: String? = nil,
    resourceReason: BlueprintPlanResourceReason? = nil, dependsOnTasks: [String]? = nil,
    inputProperties: [String: JSONValue]? = nil
  ) {
    self.name = name
    self.resourceName = resourceName
    self.resourceType = resourceType
    self.resourceReason = resourceReason
    self.dependsOnTasks = dependsOnTasks
    self.inputProperties = inputProperties
  }
}
