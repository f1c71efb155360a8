import VRAModels

/// A parsed cloud template: what vRA calls a blueprint's `content`.
public struct Template: Sendable, Hashable {
  /// The name diagnostics use for this template (a path or a label).
  public var fileName: String
  public var formatVersion: JSONValue?
  public var name: String?
  public var version: String?
  public var description: String?
  public var inputs: [TemplateInput]
  public var resources: [TemplateResource]
  public var outputs: [TemplateOutput]
  /// Top-level keys the model does not name, kept as written.
  public var otherKeys: [String: JSONValue]
  /// Non-fatal findings of the parser (unknown keys, server-resolved forms, ...).
  public var warnings: [TemplateDiagnostic]
  /// Every `${...}` reference written in input definitions (dynamic defaults).
  public var inputReferences: [ExpressionReference]
  /// Expression syntax errors found while scanning; `TemplateValidator` reports them.
  var expressionErrors: [TemplateDiagnostic]

  public init(
    fileName: String, formatVersion: JSONValue? = nil, name: String? = nil, version: String? = nil,
    description: String? = nil, inputs: [TemplateInput] = [], resources: [TemplateResource] = [],
    outputs: [TemplateOutput] = [], otherKeys: [String: JSONValue] = [:], warnings: [TemplateDiagnostic] = [],
    inputReferences: [ExpressionReference] = []
  ) {
    self.fileName = fileName
    self.formatVersion = formatVersion
    self.name = name
    self.version = version
    self.description = description
    self.inputs = inputs
    self.resources = resources
    self.outputs = outputs
    self.otherKeys = otherKeys
    self.warnings = warnings
    self.inputReferences = inputReferences
    self.expressionErrors = []
  }

  public func input(named name: String) -> TemplateInput? {
    inputs.first { $0.name == name }
  }

  public func resource(named name: String) -> TemplateResource? {
    resources.first { $0.name == name }
  }
}
