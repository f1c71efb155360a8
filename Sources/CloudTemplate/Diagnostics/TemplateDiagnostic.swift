/// One problem found in a template, with the position of the YAML node that causes it.
public struct TemplateDiagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
  public enum Severity: String, Sendable, Hashable, Codable {
    case error
    case warning
  }

  public var severity: Severity
  public var code: DiagnosticCode
  public var message: String
  public var file: String
  public var location: SourceLocation
  /// JSON pointer of the offending field, e.g. `/resources/web/properties/network`.
  public var path: String
  /// A suggestion, e.g. the "did you mean" candidate.
  public var hint: String?

  public init(
    severity: Severity, code: DiagnosticCode, message: String, file: String, location: SourceLocation,
    path: String, hint: String? = nil
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.file = file
    self.location = location
    self.path = path
    self.hint = hint
  }

  public var line: Int { location.line }
  public var column: Int { location.column }
  public var isError: Bool { severity == .error }

  /// `file:line:column: error: message [field]`, the compiler-style line editors and CI annotate;
  /// `error: file: message` for the file as a whole (`error: web.yaml: no such file`).
  public var description: String {
    guard location != .wholeFile else { return "\(severity.rawValue): \(file): \(message)" }
    let field = path.isEmpty ? "" : " [\(path)]"
    let suggestion = hint.map { " (\($0))" } ?? ""
    return "\(file):\(line):\(column): \(severity.rawValue): \(message)\(suggestion)\(field)"
  }
}

extension Array where Element == TemplateDiagnostic {
  public var errors: [TemplateDiagnostic] { filter(\.isError) }
  public var warnings: [TemplateDiagnostic] { filter { !$0.isError } }
  public var hasErrors: Bool { contains(where: \.isError) }
}
