import CloudTemplate
import VRAModels

/// Hides the values of `encrypted: true` inputs in what a plan shows: an encrypted input reads
/// `*****`, and so does any property string that contains an encrypted value (vRA never shows a
/// secure input in clear once submitted).
struct SecretMask {
  static let masked: JSONValue = "*****"
  private let names: Set<String>
  private let values: [String]

  /// - Parameter templates: the new template and, for an update, the previous one.
  init(templates: [Template], inputs: [[String: JSONValue]]) {
    let names = Set(templates.flatMap { $0.inputs.filter(\.isEncrypted).map(\.name) })
    self.names = names
    values = inputs.flatMap { inputs in
      names.compactMap { name -> String? in
        guard let value = inputs[name], value != .null else { return nil }
        // Strings (and numbers) can be found again inside evaluated properties; other kinds are
        // masked where the input itself is shown.
        let text = value.stringValue ?? value.intValue.map(String.init) ?? ""
        return text.isEmpty ? nil : text
      }
    }
  }

  func inputs(_ inputs: [String: JSONValue]) -> [String: JSONValue] {
    var result = inputs.mapValues(apply)
    for name in names where result[name] != nil { result[name] = Self.masked }
    return result
  }

  func properties(_ properties: [String: JSONValue]?) -> [String: JSONValue]? {
    properties?.mapValues(apply)
  }

  func apply(_ value: JSONValue) -> JSONValue {
    switch value {
    case .string(let text): values.contains { text.contains($0) } ? Self.masked : value
    case .array(let items): .array(items.map(apply))
    case .object(let object): .object(object.mapValues(apply))
    default: value
    }
  }
}
