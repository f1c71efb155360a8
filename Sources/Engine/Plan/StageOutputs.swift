import VRAModels

/// What a finished stage offers to the stages after it: its deployment, outputs and resources.
public struct StageOutputs: Sendable, Hashable, Codable {
  public var deploymentId: String
  public var deploymentName: String
  /// The deployment's outputs, by name.
  public var outputs: [String: JSONValue]
  /// Resource properties by resource name; the instances of a resource with `count` are `R[0]`, `R[1]`, ...
  public var resources: [String: [String: JSONValue]]

  public init(
    deploymentId: String, deploymentName: String, outputs: [String: JSONValue] = [:],
    resources: [String: [String: JSONValue]] = [:]
  ) {
    self.deploymentId = deploymentId
    self.deploymentName = deploymentName
    self.outputs = outputs
    self.resources = resources
  }
}
