/// A problem at a place in a file: a template's (`TemplateDiagnostic`), a plan's (`PlanDiagnostic`).
/// All print as the one compiler-style line that editors and CI annotate.
public protocol SourceDiagnostic: CustomStringConvertible {
  var severity: TemplateDiagnostic.Severity { get }
  var message: String { get }
  var file: String { get }
  var location: SourceLocation { get }
  /// JSON pointer of the offending field; empty for the whole file.
  var path: String { get }
  /// A suggestion, e.g. the "did you mean" candidate.
  var hint: String? { get }
}

extension SourceDiagnostic {
  public var line: Int { location.line }
  public var column: Int { location.column }
  public var isError: Bool { severity == .error }

  /// `file:line:column: error: message (hint) [path]`; `error: file: message` for the file as a
  /// whole (`error: plan.yaml: no such file`).
  public var description: String {
    if location == .wholeFile { return DiagnosticLine.wholeFile(file: file, severity: severity, message: message) }
    return DiagnosticLine.format(
      file: file, line: line, column: column, severity: severity, message: message, hint: hint, path: path)
  }
}

/// The compiler-style line every diagnostic prints as.
public enum DiagnosticLine {
  /// `file:line:column: error: message (hint) [path]`, or `file: error: ...` when there is no line.
  public static func format(
    file: String, line: Int?, column: Int?, severity: TemplateDiagnostic.Severity, message: String, hint: String?,
    path: String
  ) -> String {
    let position = line.map { ":\($0):\(column ?? 1)" } ?? ""
    let suggestion = hint.map { " (\($0))" } ?? ""
    let field = path.isEmpty ? "" : " [\(path)]"
    return "\(file)\(position): \(severity.rawValue): \(message)\(suggestion)\(field)"
  }

  /// `error: file: message`: a problem with the file as a whole (it cannot be read), no position.
  public static func wholeFile(file: String, severity: TemplateDiagnostic.Severity, message: String) -> String {
    "\(severity.rawValue): \(file): \(message)"
  }
}

extension Array where Element: SourceDiagnostic {
  public var errors: [Element] { filter(\.isError) }
  public var warnings: [Element] { filter { !$0.isError } }
  public var hasErrors: Bool { contains(where: \.isError) }
}
