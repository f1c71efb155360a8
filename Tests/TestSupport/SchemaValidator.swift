import Foundation
import VRAModels

/// Checks a JSON value against a Swagger 2.0 schema: types, formats, enums,
/// required fields, and no field the definition does not document.
public struct SchemaValidator {
  let catalog: SpecCatalog
  let file: String

  /// Problems found, each with its JSON path; empty when the value conforms.
  func validate(_ value: JSONValue, against schema: JSONValue, path: String = "$") -> [String] {
    if let ref = schema["$ref"]?.stringValue {
      guard let definition = catalog.definition(ref, in: file) else { return ["\(path): unresolved \(ref)"] }
      return validate(value, against: definition, path: path)
    }
    if value == .null { return [] }  // optional fields may be null; required ones are checked by their object
    let type = schema["type"]?.stringValue
    var problems: [String] = []
    switch type {
    case "object":
      let properties = schema["properties"]?.objectValue
      let additional = schema["additionalProperties"]
      // A bare `type: object` (Java Object / Map) accepts any value.
      if properties == nil && additional == nil { return [] }
      guard let object = value.objectValue else { return ["\(path): expected object, got \(value.typeName)"] }
      for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
        if object[key] == nil {
          problems.append("\(path): missing required field '\(key)'")
        } else if object[key] == .null {
          problems.append("\(path): required field '\(key)' is null")
        }
      }
      for (key, item) in object {
        if let property = properties?[key] {
          problems += validate(item, against: property, path: "\(path).\(key)")
        } else if let additional, additional != .bool(false), additional.objectValue != nil {
          problems += validate(item, against: additional, path: "\(path).\(key)")
        } else if additional == .bool(true) {
          continue
        } else {
          problems.append("\(path): field '\(key)' is not in the definition")
        }
      }
    case "array":
      guard let items = value.arrayValue else { return ["\(path): expected array, got \(value.typeName)"] }
      if let schema = schema["items"] {
        for (index, item) in items.enumerated() {
          problems += validate(item, against: schema, path: "\(path)[\(index)]")
        }
      }
    case "string":
      guard let text = value.stringValue else { return ["\(path): expected string, got \(value.typeName)"] }
      if let allowed = schema["enum"]?.arrayValue?.compactMap(\.stringValue), !allowed.contains(text) {
        problems.append("\(path): '\(text)' is not one of \(allowed)")
      }
      switch schema["format"]?.stringValue {
      case "date-time" where VRAJSON.parseTimestamp(text) == nil:
        problems.append("\(path): '\(text)' is not a date-time")
      case "uuid" where UUID(uuidString: text) == nil:
        problems.append("\(path): '\(text)' is not a uuid")
      default: break
      }
    case "integer":
      guard value.intValue != nil else { return ["\(path): expected integer, got \(value.typeName)"] }
      if case .int(let number) = value, schema["format"]?.stringValue == "int32", Int32(exactly: number) == nil {
        problems.append("\(path): \(number) does not fit int32")
      }
    case "number":
      if value.doubleValue == nil { problems.append("\(path): expected number, got \(value.typeName)") }
    case "boolean":
      if value.boolValue == nil { problems.append("\(path): expected boolean, got \(value.typeName)") }
    default:
      break
    }
    return problems
  }
}

/// Fidelity of one simulator answer to the specs.
public enum Fidelity {
  /// Problems with `body` as the answer to `method path` with `status`; empty when it conforms.
  /// Error answers follow `ServiceErrorResponse` (400s may add `validationMessages`, see docs/simulator.md).
  public static func problems(method: String, path: String, status: Int, body: Data) -> [String] {
    let catalog = SpecCatalog.shared
    let pathOnly = String(path.split(separator: "?", maxSplits: 1).first ?? "")
    // Health URLs stand for the deployed applications, not vRA: plain text, checked by their own tests.
    if pathOnly.hasPrefix("/_sim/apps/") { return [] }
    guard let json = FastJSON.parse(body) else {
      if body.isEmpty {
        // vRA answers every error with a ServiceErrorResponse; an empty error body tells a client nothing.
        return status >= 400 ? ["\(method) \(pathOnly) \(status): an error answer with an empty body"] : []
      }
      return ["\(method) \(pathOnly) \(status): body is not JSON"]
    }
    if status >= 400 {
      var value = json
      var problems: [String] = []
      if status == 400, case .object(var object) = json, let messages = object.removeValue(forKey: "validationMessages")
      {
        value = .object(object)
        let validator = SchemaValidator(catalog: catalog, file: "vra-blueprint.json")
        problems += validator.validate(
          messages, against: ["type": "array", "items": ["$ref": "#/definitions/BlueprintValidationMessage"]],
          path: "$.validationMessages")
      }
      let (file, schema) = catalog.errorSchema
      problems += SchemaValidator(catalog: catalog, file: file).validate(value, against: schema)
      return problems.map { "\(method) \(pathOnly) \(status): \($0)" }
    }
    guard let (file, schema, template) = catalog.responseSchema(method: method, path: pathOnly, status: status) else {
      return []  // not a spec'd operation (CSP login, /_sim): checked by its own tests
    }
    guard let schema else {
      return json == .null ? [] : ["\(method) \(template) \(status): the spec documents no body for this answer"]
    }
    return SchemaValidator(catalog: catalog, file: file).validate(json, against: schema).map {
      "\(method) \(template) \(status): \($0)"
    }
  }

  /// Whether the specs describe this call at all.
  public static func isSpecified(method: String, path: String) -> Bool {
    SpecCatalog.shared.operation(method: method, path: String(path.split(separator: "?").first ?? "")) != nil
  }
}
