import Foundation
import VRAModels
import Yams

/// Builds a `Template` from the composed YAML document, collecting every structural problem.
struct TemplateBuilder {
  var converter: NodeConverter
  var diagnostics: DiagnosticCollector
  let source: SourceText
  private var expressionErrors: [TemplateDiagnostic] = []
  private var inputReferences: [ExpressionReference] = []

  init(file: String, text: String, limits: ParseLimits) {
    self.converter = NodeConverter(limits: limits, file: file)
    self.diagnostics = DiagnosticCollector(file: file)
    self.source = SourceText(text)
  }

  private var file: String { diagnostics.file }

  /// The template, or the diagnostics when one of them is an error.
  mutating func build(root: Node) throws(NodeConverter.Abort) -> (Template, [TemplateDiagnostic]) {
    var template = Template(fileName: file)
    guard let mapping = root.mapping else {
      let kind = root.sequence != nil ? "a list" : "a scalar"
      diagnostics.error(
        .notAMapping,
        "a cloud template must be a mapping of keys (formatVersion, inputs, resources, ...), found \(kind)",
        at: NodeConverter.location(of: root), path: "")
      return (template, diagnostics.diagnostics)
    }
    try converter.enter(root, depth: 0, path: "")
    var sawResources = false
    for (keyNode, valueNode) in mapping {
      guard let key = converter.mappingKey(keyNode, path: "") else { continue }
      let path = JSONPointer.appending(key, to: "")
      let keyLocation = NodeConverter.location(of: keyNode)
      switch key {
      case "formatVersion":
        template.formatVersion = try converter.convert(valueNode, path: path, depth: 1)
      case "name", "version", "description":
        let value = try converter.convert(valueNode, path: path, depth: 1)
        let text: String? =
          switch value {
          case .null: nil
          case .string, .int, .double, .bool: Self.plainText(value)
          default: nil
          }
        if text == nil, value != .null {
          diagnostics.error(
            .invalidFieldType, "'\(key)' must be a string, found \(value.typeName)", at: keyLocation, path: path)
        }
        if key == "name" {
          template.name = text
        } else if key == "version" {
          template.version = text
        } else {
          template.description = text
        }
      case "inputs":
        template.inputs = try inputs(from: valueNode, path: path)
      case "resources":
        sawResources = true
        template.resources = try resources(from: valueNode, path: path)
      case "outputs":
        template.outputs = try outputs(from: valueNode, path: path)
      default:
        template.otherKeys[key] = try converter.convert(valueNode, path: path, depth: 1)
        diagnostics.warning(
          .unknownKey, "unknown top-level key '\(key)' is kept but not interpreted", at: keyLocation, path: path,
          hint: NameSuggester.hint(
            for: key, among: ["formatVersion", "name", "version", "description", "inputs", "resources", "outputs"]))
      }
    }
    if !sawResources {
      diagnostics.error(
        .missingField, "a cloud template needs a 'resources' mapping", at: NodeConverter.location(of: root),
        path: "/resources")
    }
    template.inputReferences = inputReferences
    diagnostics.append(contentsOf: converter.diagnostics.diagnostics)
    template.warnings = diagnostics.diagnostics.warnings
    template.expressionErrors = expressionErrors
    return (template, diagnostics.diagnostics)
  }

  // MARK: Sections

  private mutating func inputs(from node: Node, path: String) throws(NodeConverter.Abort) -> [TemplateInput] {
    guard let mapping = try sectionMapping(node, path: path, name: "inputs") else { return [] }
    var inputs: [TemplateInput] = []
    for (nameNode, definitionNode) in mapping {
      guard let name = converter.mappingKey(nameNode, path: path) else { continue }
      let inputPath = JSONPointer.appending(name, to: path)
      let schema = try self.schema(from: definitionNode, path: inputPath, depth: 2)
      inputs.append(TemplateInput(name: name, schema: schema, location: NodeConverter.location(of: nameNode)))
    }
    inputReferences.append(contentsOf: scanCollectedExpressions())
    return inputs
  }

  private mutating func resources(from node: Node, path: String) throws(NodeConverter.Abort) -> [TemplateResource] {
    guard let mapping = try sectionMapping(node, path: path, name: "resources") else { return [] }
    var resources: [TemplateResource] = []
    for (nameNode, definitionNode) in mapping {
      guard let name = converter.mappingKey(nameNode, path: path) else { continue }
      let resourcePath = JSONPointer.appending(name, to: path)
      let location = NodeConverter.location(of: nameNode)
      guard let definition = definitionNode.mapping else {
        diagnostics.error(
          .invalidFieldType, "resource '\(name)' must be a mapping with 'type' and 'properties'", at: location,
          path: resourcePath)
        continue
      }
      try converter.enter(definitionNode, depth: 2, path: resourcePath)
      var resource = TemplateResource(name: name, type: "", location: location)
      var sawType = false
      converter.collectsExpressions = true
      for (keyNode, valueNode) in definition {
        guard let key = converter.mappingKey(keyNode, path: resourcePath) else { continue }
        let keyPath = JSONPointer.appending(key, to: resourcePath)
        let keyLocation = NodeConverter.location(of: keyNode)
        switch key {
        case "type":
          sawType = true
          let value = try converter.convert(valueNode, path: keyPath, depth: 3)
          if let type = value.stringValue, !type.isEmpty {
            resource.type = type
          } else {
            diagnostics.error(
              .invalidFieldType, "resource '\(name)': 'type' must be a resource type such as Cloud.vSphere.Machine",
              at: keyLocation, path: keyPath)
          }
        case "properties":
          let value = try converter.convert(valueNode, path: keyPath, depth: 3)
          if let properties = value.objectValue {
            resource.properties = properties
          } else if value != .null {
            diagnostics.error(
              .invalidFieldType, "resource '\(name)': 'properties' must be a mapping, found \(value.typeName)",
              at: keyLocation, path: keyPath)
          }
        case "dependsOn":
          try dependsOn(valueNode, into: &resource, path: keyPath)
        case "allocatePerInstance":
          let value = try converter.convert(valueNode, path: keyPath, depth: 3)
          resource.allocatePerInstance = value.boolValue
          resource.otherKeys[key] = value
          if value.boolValue == nil {
            diagnostics.error(
              .invalidFieldType, "'allocatePerInstance' must be true or false", at: keyLocation, path: keyPath)
          }
        default:
          resource.otherKeys[key] = try converter.convert(valueNode, path: keyPath, depth: 3)
        }
      }
      converter.collectsExpressions = false
      if !sawType {
        diagnostics.error(.missingField, "resource '\(name)' has no 'type'", at: location, path: resourcePath)
      }
      resource.references = scanCollectedExpressions()
      resources.append(resource)
    }
    return resources
  }

  private mutating func dependsOn(
    _ node: Node, into resource: inout TemplateResource, path: String
  )
    throws(NodeConverter.Abort)
  {
    let elements: [(Node, String)]
    if let sequence = node.sequence {
      elements = sequence.enumerated().map { ($1, JSONPointer.appending($0, to: path)) }
    } else {
      elements = [(node, path)]  // `dependsOn: other` is accepted by vRA as a one-element list.
    }
    try converter.enter(node, depth: 3, path: path)
    for (element, elementPath) in elements {
      let value = try converter.convert(element, path: elementPath, depth: 4)
      guard let name = value.stringValue else {
        diagnostics.error(
          .invalidFieldType, "'dependsOn' entries must be resource names, found \(value.typeName)",
          at: NodeConverter.location(of: element), path: elementPath)
        continue
      }
      resource.dependsOn.append(name)
      resource.dependsOnLocations.append(NodeConverter.location(of: element))
    }
  }

  private mutating func outputs(from node: Node, path: String) throws(NodeConverter.Abort) -> [TemplateOutput] {
    guard let mapping = try sectionMapping(node, path: path, name: "outputs") else { return [] }
    var outputs: [TemplateOutput] = []
    for (nameNode, definitionNode) in mapping {
      guard let name = converter.mappingKey(nameNode, path: path) else { continue }
      let outputPath = JSONPointer.appending(name, to: path)
      converter.collectsExpressions = true
      let definition = try converter.convert(definitionNode, path: outputPath, depth: 2)
      converter.collectsExpressions = false
      let value = definition.objectValue.map { $0["value"] } ?? definition
      outputs.append(
        TemplateOutput(
          name: name, value: value, description: definition["description"]?.stringValue,
          references: scanCollectedExpressions(), location: NodeConverter.location(of: nameNode)))
    }
    return outputs
  }

  /// The mapping of a top-level section; an empty section (`inputs:` with nothing under it) is allowed.
  private mutating func sectionMapping(
    _ node: Node, path: String, name: String
  ) throws(NodeConverter.Abort)
    -> Node.Mapping?
  {
    if let mapping = node.mapping {
      try converter.enter(node, depth: 1, path: path)
      return mapping
    }
    if case .scalar(let scalar) = node, ScalarResolver.resolve(scalar) == .null { return nil }
    diagnostics.error(
      .invalidFieldType, "'\(name)' must be a mapping of names to definitions", at: NodeConverter.location(of: node),
      path: path)
    return nil
  }

  // MARK: Expressions

  /// Scans the strings the converter collected since the last call and places each reference in the file.
  private mutating func scanCollectedExpressions() -> [ExpressionReference] {
    let strings = converter.expressionStrings
    converter.expressionStrings.removeAll(keepingCapacity: true)
    var references: [ExpressionReference] = []
    for string in strings {
      let result = ExpressionScanner.scan(string.text, path: string.path) { offset, scalars in
        locate(offset: offset, in: scalars, of: string)
      }
      references.append(contentsOf: result.references)
      for error in result.errors {
        expressionErrors.append(
          TemplateDiagnostic(
            severity: .error, code: .invalidExpression, message: "\(error.message) in \(error.expression)",
            file: file, location: error.location, path: string.path))
      }
    }
    return references
  }

  /// The template position of the `offset`-th scalar of a string value.
  ///
  /// Single-line plain and quoted strings map column for column; for multi-line strings the line is
  /// found by counting newlines and the column by finding the same text on that source line.
  private func locate(
    offset: Int, in scalars: [Unicode.Scalar], of string: NodeConverter.ExpressionString
  )
    -> SourceLocation
  {
    var newlines = 0
    var lineStart = 0
    for index in 0..<offset where scalars[index] == "\n" {
      newlines += 1
      lineStart = index + 1
    }
    let isBlock = string.style == .literal || string.style == .folded
    if newlines == 0, !isBlock {
      let quoteWidth = string.style == .singleQuoted || string.style == .doubleQuoted ? 1 : 0
      return SourceLocation(line: string.mark.line, column: string.mark.column + quoteWidth + offset)
    }
    let line = string.mark.line + (isBlock ? 1 : 0) + newlines
    var needleEnd = offset
    while needleEnd < scalars.count, needleEnd - offset < 24, scalars[needleEnd] != "\n" { needleEnd += 1 }
    let needle = scalars[offset..<needleEnd]
    let occurrence = SourceText.occurrences(of: needle, in: scalars[lineStart..<offset]).count
    let column = source.column(of: needle, occurrence: occurrence, onLine: line) ?? 1
    return SourceLocation(line: line, column: column)
  }

  static func plainText(_ value: JSONValue) -> String {
    switch value {
    case .string(let text): text
    case .int(let number): String(number)
    case .double(let number): String(number)
    case .bool(let flag): String(flag)
    case .null: "null"
    case .array: "a list"
    case .object: "a mapping"
    }
  }
}
