/// A `${secret.X}` reference. vRA resolves it from its secret store when a request is made, so
/// `validate` lists it and never resolves (or asks for) its value.
public struct TemplateSecretReference: Sendable, Hashable, CustomStringConvertible {
  /// The secret named, `X` in `secret.X`.
  public var name: String
  public var file: String
  public var location: SourceLocation
  /// JSON pointer of the string that holds the reference.
  public var path: String

  public init(name: String, file: String, location: SourceLocation, path: String) {
    self.name = name
    self.file = file
    self.location = location
    self.path = path
  }

  /// Every `secret.` reference of `template` (input defaults, resources, outputs), in file order.
  public static func all(in template: Template) -> [TemplateSecretReference] {
    let references =
      template.inputReferences + template.resources.flatMap(\.references) + template.outputs.flatMap(\.references)
    return
      references
      .filter { $0.kind == .secret }
      .map {
        TemplateSecretReference(name: $0.name ?? "", file: template.fileName, location: $0.location, path: $0.path)
      }
      .sorted { ($0.location.line, $0.location.column, $0.path) < ($1.location.line, $1.location.column, $1.path) }
  }

  public var message: String { "secret '\(name)' is resolved by vRA at request time" }

  /// `file:line:column: info: secret 'X' is resolved by vRA at request time [path]`.
  public var description: String { "\(file):\(location): info: \(message) [\(path)]" }

  /// `{"name", "message", "path", "file", "line", "column"}`.
  public var jsonValue: JSONValue {
    .object([
      "name": .string(name), "message": .string(message), "path": .string(path), "file": .string(file),
      "line": .int(location.line), "column": .int(location.column),
    ])
  }
}
