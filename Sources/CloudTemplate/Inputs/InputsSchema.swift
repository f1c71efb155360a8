/// The JSON Schema that vRA's `GET /blueprint/api/blueprints/{id}/inputs-schema` returns for a template.
public enum InputsSchema {
  /// `{"type": "object", "encrypted": false, "properties": {...}, "required": [...], "additionalProperties": false}`.
  ///
  /// Each property is the input's definition as written, minus `$ref` (a property-group link that only
  /// vRA can resolve; a standard validator would fail on it). Inputs without a default are required,
  /// and unknown inputs are refused, the same rules `InputValidator` applies.
  public static func jsonSchema(for template: Template) -> JSONValue {
    var properties: [String: JSONValue] = [:]
    for input in template.inputs {
      guard case .object(var definition) = input.schema.definition else { continue }
      definition["$ref"] = nil
      properties[input.name] = .object(definition)
    }
    return .object([
      "type": "object",
      "encrypted": false,
      "properties": .object(properties),
      "required": .array(template.inputs.filter(\.isRequired).map { .string($0.name) }),
      "additionalProperties": false,
    ])
  }
}
