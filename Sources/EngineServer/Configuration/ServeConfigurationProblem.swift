/// One thing wrong with serve.yaml: where it is (file, line, column, the field's path such as
/// `tenants[1].tokens[0]`) and what. Messages never quote a secret's value: they name the field.
public struct ServeConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
  public var file: String
  /// 1-based; 0 when the problem is the file as a whole (it cannot be read).
  public var line: Int
  public var column: Int
  /// The field's path as written (`tenants[1].oidc.audience`); empty for the file as a whole.
  public var field: String
  public var message: String

  public init(file: String, line: Int, column: Int, field: String, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.field = field
    self.message = message
  }

  /// `serve.yaml:7:5: tenants[0].name: ...`, like a compiler, so editors can jump to it.
  public var description: String {
    let place = line > 0 ? "\(file):\(line):\(column)" : file
    return field.isEmpty ? "\(place): \(message)" : "\(place): \(field): \(message)"
  }
}
