import Foundation
import VRAModels

/// Resolves the simple `${...}` references vRA evaluates at provisioning time:
/// `input.X`, `resource.R.prop`, `resource.R[N].prop`, `resource["R"].prop`,
/// `resource.R[*].prop` (a list), `self.prop`. Anything richer (functions, operators) is left as written, the way
/// an unknown expression shows up in a vRA deployment's properties.
struct OutputResolver {
  var deployment: DeploymentRecord
  var inputs: [String: JSONValue]
  var current: ResourceRecord?

  init(deployment: DeploymentRecord, inputs: [String: JSONValue], current: ResourceRecord? = nil) {
    self.deployment = deployment
    self.inputs = inputs
    self.current = current
  }

  /// Template `outputs: {name: {value: '${...}'}}` → request outputs.
  func resolve(_ outputs: [String: JSONValue]) -> [String: JSONValue] {
    outputs.mapValues { output in
      if let value = output["value"] { return resolve(value) }
      return resolve(output)
    }
  }

  func resolve(_ value: JSONValue) -> JSONValue {
    switch value {
    case .string(let text): return resolve(text)
    case .array(let items): return .array(items.map(resolve))
    case .object(let object): return .object(object.mapValues(resolve))
    default: return value
    }
  }

  private func resolve(_ text: String) -> JSONValue {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    // A string that is one whole expression keeps the referenced value's type.
    if trimmed.hasPrefix("${"), trimmed.hasSuffix("}"), trimmed.dropFirst(2).firstIndex(of: "$") == nil {
      let inner = String(trimmed.dropFirst(2).dropLast())
      if let value = lookup(inner) { return value }
      return .string(text)
    }
    guard text.contains("${") else { return .string(text) }
    var result = ""
    var rest = Substring(text)
    while let open = rest.range(of: "${") {
      result += rest[..<open.lowerBound]
      guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
        result += rest[open.lowerBound...]
        rest = ""
        break
      }
      let inner = String(rest[open.upperBound..<close])
      if let value = lookup(inner) {
        result += value.stringValue ?? value.compactText
      } else {
        result += rest[open.lowerBound...close]
      }
      rest = rest[rest.index(after: close)...]
    }
    result += rest
    return .string(result)
  }

  private func lookup(_ expression: String) -> JSONValue? {
    let path = expression.trimmingCharacters(in: .whitespaces)
    if path.hasPrefix("input.") {
      return inputs[String(path.dropFirst("input.".count))]
    }
    if path.hasPrefix("self."), let current {
      return current.properties[String(path.dropFirst("self.".count))]
    }
    guard path.hasPrefix("resource") else { return nil }
    var rest = Substring(path.dropFirst("resource".count))
    let name: String
    if rest.hasPrefix("[\""), let end = rest.range(of: "\"]") {
      name = String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound])
      rest = rest[end.upperBound...]
    } else if rest.hasPrefix(".") {
      rest = rest.dropFirst()
      let end = rest.firstIndex(where: { $0 == "." || $0 == "[" }) ?? rest.endIndex
      name = String(rest[..<end])
      rest = rest[end...]
    } else {
      return nil
    }
    var instance: Int? = 0
    if rest.hasPrefix("["), let end = rest.firstIndex(of: "]") {
      let index = rest[rest.index(after: rest.startIndex)..<end]
      if index == "*" {
        instance = nil  // `[*]`: the property of every instance, as a list (vRA's splat)
      } else {
        guard let number = Int(index) else { return nil }  // other forms are left as written
        instance = number
      }
      rest = rest[rest.index(after: end)...]
    }
    guard rest.hasPrefix(".") else { return nil }
    let property = String(rest.dropFirst())
    let instances = deployment.resources.filter { $0.templateName == name }
    guard let instance else {
      let values = instances.compactMap { $0.properties[property] }
      return values.count == instances.count && !instances.isEmpty ? .array(values) : nil
    }
    guard instance < instances.count else { return nil }
    return instances[instance].properties[property]
  }
}

extension JSONValue {
  /// Compact JSON text, used when a non-string value is interpolated into a string.
  var compactText: String {
    guard let data = try? VRAJSON.makeEncoder().encode(self) else { return "" }
    return String(decoding: data, as: UTF8.self)
  }
}
