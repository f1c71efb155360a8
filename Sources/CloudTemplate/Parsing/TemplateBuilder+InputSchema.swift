import VRAModels
import Yams

/// Decodes one input definition (and its nested `items` / `properties`) into an `InputSchema`,
/// reporting keywords of the wrong type at their own position.
extension TemplateBuilder {
  mutating func schema(from node: Node, path: String, depth: Int) throws(NodeConverter.Abort) -> InputSchema {
    let location = NodeConverter.location(of: node)
    guard let mapping = node.mapping else {
      let value = try converter.convert(node, path: path, depth: depth)
      diagnostics.error(
        .invalidFieldType, "an input definition must be a mapping, found \(value.typeName)", at: location, path: path)
      return InputSchema(definition: value, location: location)
    }
    try converter.enter(node, depth: depth, path: path)
    var schema = InputSchema(location: location)
    var definition: [String: JSONValue] = [:]
    for (keyNode, valueNode) in mapping {
      guard let keyword = converter.mappingKey(keyNode, path: path) else { continue }
      let keywordPath = JSONPointer.appending(keyword, to: path)
      let keywordLocation = NodeConverter.location(of: keyNode)
      schema.keywordLocations[keyword] = keywordLocation
      switch keyword {
      case "items":
        let items = try self.schema(from: valueNode, path: keywordPath, depth: depth + 1)
        schema.items = items
        definition[keyword] = items.definition
      case "properties":
        var converted: [String: JSONValue] = [:]
        if let properties = valueNode.mapping {
          try converter.enter(valueNode, depth: depth + 1, path: keywordPath)
          for (nameNode, propertyNode) in properties {
            guard let name = converter.mappingKey(nameNode, path: keywordPath) else { continue }
            let property = try self.schema(
              from: propertyNode, path: JSONPointer.appending(name, to: keywordPath), depth: depth + 2)
            schema.properties.append(NamedInputSchema(name: name, schema: property))
            converted[name] = property.definition
          }
        } else if !isNull(valueNode) {
          diagnostics.error(.invalidFieldType, "'properties' must be a mapping", at: keywordLocation, path: keywordPath)
        }
        definition[keyword] = .object(converted)
      default:
        converter.collectsExpressions = keyword == "default"
        let value = try converter.convert(valueNode, path: keywordPath, depth: depth + 1)
        converter.collectsExpressions = false
        definition[keyword] = value
        apply(keyword: keyword, value: value, to: &schema, at: keywordLocation, path: keywordPath)
      }
    }
    schema.definition = .object(definition)
    return schema
  }

  private mutating func apply(
    keyword: String, value: JSONValue, to schema: inout InputSchema, at location: SourceLocation, path: String
  ) {
    switch keyword {
    case "type":
      guard let name = value.stringValue, let type = InputType(rawValue: name) else {
        let written = value.stringValue ?? value.typeName
        diagnostics.error(
          .invalidInputType,
          "unknown input type '\(written)'; expected one of \(InputType.allCases.map(\.rawValue).joined(separator: ", "))",
          at: location, path: path, hint: NameSuggester.hint(for: written, among: InputType.allCases.map(\.rawValue)))
        return
      }
      schema.type = type
    case "title": schema.title = string(value, keyword, location, path)
    case "description": schema.description = string(value, keyword, location, path)
    case "format": schema.format = value == .null ? nil : string(value, keyword, location, path)
    case "pattern": schema.pattern = string(value, keyword, location, path)
    case "default": schema.defaultValue = value
    case "const": schema.constValue = value
    case "enum":
      guard let values = value.arrayValue else {
        diagnostics.error(.invalidFieldType, "'enum' must be a list, found \(value.typeName)", at: location, path: path)
        return
      }
      schema.enumValues = values
    case "oneOf": schema.oneOf = choices(value, location, path)
    case "minLength": schema.minLength = count(value, keyword, location, path)
    case "maxLength": schema.maxLength = count(value, keyword, location, path)
    case "minItems": schema.minItems = count(value, keyword, location, path)
    case "maxItems": schema.maxItems = count(value, keyword, location, path)
    case "minimum": schema.minimum = number(value, keyword, location, path)
    case "maximum": schema.maximum = number(value, keyword, location, path)
    case "exclusiveMinimum": schema.exclusiveMinimum = number(value, keyword, location, path)
    case "exclusiveMaximum": schema.exclusiveMaximum = number(value, keyword, location, path)
    case "encrypted": schema.encrypted = flag(value, keyword, location, path)
    case "readOnly": schema.readOnly = flag(value, keyword, location, path)
    case "uniqueItems": schema.uniqueItems = flag(value, keyword, location, path)
    case "required":
      guard let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count else {
        // vRA also writes `required: true` on single fields; a boolean is not the JSON Schema form but harmless.
        if value.boolValue == nil {
          diagnostics.error(.invalidFieldType, "'required' must be a list of property names", at: location, path: path)
        }
        return
      }
      schema.required = names
    case "additionalProperties": schema.additionalPropertiesAllowed = value.boolValue ?? true
    case "$dynamicEnum": schema.dynamicEnum = value
    case "$data": schema.dataSource = value
    case "$ref": schema.reference = value.stringValue ?? "\(value)"
    default: break  // Kept in `definition` (vRA form hints such as `signpostPosition`).
    }
  }

  private func isNull(_ node: Node) -> Bool {
    if case .scalar(let scalar) = node { return ScalarResolver.resolve(scalar) == .null }
    return false
  }

  private mutating func string(
    _ value: JSONValue, _ keyword: String, _ location: SourceLocation, _ path: String
  )
    -> String?
  {
    switch value {
    case .string(let text): return text
    case .int, .double, .bool: return TemplateBuilder.plainText(value)
    default:
      diagnostics.error(
        .invalidFieldType, "'\(keyword)' must be a string, found \(value.typeName)", at: location, path: path)
      return nil
    }
  }

  private mutating func count(
    _ value: JSONValue, _ keyword: String, _ location: SourceLocation, _ path: String
  )
    -> Int?
  {
    guard case .int(let count) = value, count >= 0 else {
      diagnostics.error(
        .invalidFieldType, "'\(keyword)' must be a non-negative integer, found \(TemplateBuilder.plainText(value))",
        at: location, path: path)
      return nil
    }
    return count
  }

  private mutating func number(
    _ value: JSONValue, _ keyword: String, _ location: SourceLocation, _ path: String
  )
    -> Double?
  {
    guard let number = value.doubleValue else {
      diagnostics.error(
        .invalidFieldType, "'\(keyword)' must be a number, found \(TemplateBuilder.plainText(value))", at: location,
        path: path)
      return nil
    }
    return number
  }

  private mutating func flag(
    _ value: JSONValue, _ keyword: String, _ location: SourceLocation, _ path: String
  )
    -> Bool
  {
    guard let flag = value.boolValue else {
      diagnostics.error(
        .invalidFieldType, "'\(keyword)' must be true or false, found \(TemplateBuilder.plainText(value))",
        at: location, path: path)
      return false
    }
    return flag
  }

  private mutating func choices(_ value: JSONValue, _ location: SourceLocation, _ path: String) -> [InputChoice]? {
    guard let entries = value.arrayValue else {
      diagnostics.error(.invalidFieldType, "'oneOf' must be a list, found \(value.typeName)", at: location, path: path)
      return nil
    }
    var choices: [InputChoice] = []
    for (index, entry) in entries.enumerated() {
      guard let object = entry.objectValue, let constant = object["const"] else {
        diagnostics.error(
          .invalidSchema, "each 'oneOf' entry needs a 'const' value (and usually a 'title')", at: location,
          path: JSONPointer.appending(index, to: path))
        continue
      }
      choices.append(InputChoice(title: object["title"]?.stringValue, value: constant, location: location))
    }
    return choices
  }
}
