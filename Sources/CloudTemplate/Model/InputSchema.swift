import VRAModels

/// The JSON-Schema-like definition of one input (or of a nested `items` / `properties` entry).
///
/// Every keyword vRA documents is decoded into a typed field; `definition` keeps the whole
/// mapping as written so `InputsSchema` can return it the way vRA does.
public struct InputSchema: Sendable, Hashable {
  public var type: InputType?
  public var title: String?
  public var description: String?
  public var defaultValue: JSONValue?
  public var enumValues: [JSONValue]?
  public var constValue: JSONValue?
  public var oneOf: [InputChoice]?
  public var minLength: Int?
  public var maxLength: Int?
  public var pattern: String?
  public var minimum: Double?
  public var maximum: Double?
  public var exclusiveMinimum: Double?
  public var exclusiveMaximum: Double?
  public var minItems: Int?
  public var maxItems: Int?
  public var uniqueItems: Bool
  public var format: String?
  public var encrypted: Bool
  public var readOnly: Bool
  public var properties: [NamedInputSchema]
  public var required: [String]
  /// `additionalProperties: false` on an object; other forms are accepted and not enforced.
  public var additionalPropertiesAllowed: Bool
  /// Server-resolved forms: vRA computes these at request time, so they are reported, not checked.
  public var dynamicEnum: JSONValue?
  public var dataSource: JSONValue?
  public var reference: String?
  /// The input definition exactly as written in the template.
  public var definition: JSONValue
  /// Where the definition starts.
  public var location: SourceLocation
  /// Where each keyword is written, so a violation can name the template line of the rule it broke.
  public var keywordLocations: [String: SourceLocation]
  // `items` is recursive; an array gives the struct the indirection it needs.
  private var itemsStorage: [InputSchema]

  public init(definition: JSONValue = .object([:]), location: SourceLocation) {
    self.uniqueItems = false
    self.encrypted = false
    self.readOnly = false
    self.properties = []
    self.required = []
    self.additionalPropertiesAllowed = true
    self.definition = definition
    self.location = location
    self.keywordLocations = [:]
    self.itemsStorage = []
  }

  public var items: InputSchema? {
    get { itemsStorage.first }
    set { itemsStorage = newValue.map { [$0] } ?? [] }
  }

  /// True when vRA fills the value or its allowed values in at request time.
  public var isResolvedByServer: Bool { dynamicEnum != nil || dataSource != nil || reference != nil }

  /// True when the default is an expression (`${...}`) that vRA evaluates at request time.
  public var hasDynamicDefault: Bool {
    if case .string(let text) = defaultValue { return ExpressionScanner.mayContainExpression(text) }
    return false
  }

  /// The template position of `keyword`, or of the definition when the keyword is absent.
  public func location(of keyword: String) -> SourceLocation {
    keywordLocations[keyword] ?? location
  }

  /// True when this schema or any nested `items` / `properties` schema is `encrypted`.
  public var containsEncrypted: Bool {
    encrypted || itemsStorage.contains(where: \.containsEncrypted)
      || properties.contains { $0.schema.containsEncrypted }
  }

  public func property(named name: String) -> InputSchema? {
    properties.first { $0.name == name }?.schema
  }
}

/// A named entry of an object schema's `properties`, kept in template order.
public struct NamedInputSchema: Sendable, Hashable {
  public var name: String
  public var schema: InputSchema

  public init(name: String, schema: InputSchema) {
    self.name = name
    self.schema = schema
  }
}
