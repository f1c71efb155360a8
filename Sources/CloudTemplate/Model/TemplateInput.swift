/// One entry of the template's `inputs` mapping.
public struct TemplateInput: Sendable, Hashable {
  public var name: String
  public var schema: InputSchema
  /// Where the input's name is written.
  public var location: SourceLocation

  public init(name: String, schema: InputSchema, location: SourceLocation) {
    self.name = name
    self.schema = schema
    self.location = location
  }

  public var type: InputType? { schema.type }
  public var defaultValue: JSONValue? { schema.defaultValue }
  public var isEncrypted: Bool { schema.encrypted }
  /// vRA's rule: an input without a default must be supplied.
  public var isRequired: Bool { schema.defaultValue == nil }
}
