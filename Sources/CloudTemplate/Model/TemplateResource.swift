import VRAModels

/// One entry of the template's `resources` mapping.
public struct TemplateResource: Sendable, Hashable {
  public var name: String
  public var type: String
  public var properties: [String: JSONValue]
  /// Resource names listed under `dependsOn`, in template order.
  public var dependsOn: [String]
  /// `allocatePerInstance` when the template sets it.
  public var allocatePerInstance: Bool?
  /// Keys next to `type` and `properties` that the model does not name (`metadata`, `preventDelete`, ...).
  public var otherKeys: [String: JSONValue]
  /// Every `${...}` reference written anywhere in the resource.
  public var references: [ExpressionReference]
  /// Where the resource's name is written.
  public var location: SourceLocation
  /// Where each `dependsOn` entry is written, parallel to `dependsOn`.
  public var dependsOnLocations: [SourceLocation]

  public init(
    name: String, type: String, properties: [String: JSONValue] = [:], dependsOn: [String] = [],
    allocatePerInstance: Bool? = nil, otherKeys: [String: JSONValue] = [:], references: [ExpressionReference] = [],
    location: SourceLocation, dependsOnLocations: [SourceLocation] = []
  ) {
    self.name = name
    self.type = type
    self.properties = properties
    self.dependsOn = dependsOn
    self.allocatePerInstance = allocatePerInstance
    self.otherKeys = otherKeys
    self.references = references
    self.location = location
    self.dependsOnLocations = dependsOnLocations
  }

  /// `properties.count`, which makes vRA create several instances of the resource.
  public var count: JSONValue? { properties["count"] }

  /// Names of the other resources this one references through `resource.X` expressions, in order of
  /// appearance. A resource naming itself (`resource.vm.resourceName` inside `vm`) reads its own
  /// properties, as `self.` does: that is not a dependency, and vRA accepts it.
  public var referencedResources: [String] {
    var seen: Set<String> = [name]
    return references.compactMap { reference in
      guard reference.kind == .resource, let name = reference.name, seen.insert(name).inserted else { return nil }
      return name
    }
  }
}
