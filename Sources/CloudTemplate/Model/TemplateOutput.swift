import VRAModels

/// One entry of the template's `outputs` mapping (`value` and usually `description`).
public struct TemplateOutput: Sendable, Hashable {
  public var name: String
  public var value: JSONValue?
  public var description: String?
  public var references: [ExpressionReference]
  public var location: SourceLocation

  public init(
    name: String, value: JSONValue?, description: String?, references: [ExpressionReference],
    location: SourceLocation
  ) {
    self.name = name
    self.value = value
    self.description = description
    self.references = references
    self.location = location
  }
}
