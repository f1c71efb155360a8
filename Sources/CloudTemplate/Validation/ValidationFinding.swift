/// One line of a validation report: a template diagnostic, an input-source problem or an input
/// violation, flattened to what CI output needs.
///
/// Input values are never part of a finding beyond what `InputViolation` already shows, and that
/// is redacted for `encrypted` inputs.
public struct ValidationFinding: Sendable, Hashable, Codable, CustomStringConvertible {
  public var severity: TemplateDiagnostic.Severity
  /// A `DiagnosticCode` raw value (`inputViolation` for input values).
  public var code: String
  public var message: String
  /// JSON pointer: into the template for template findings, into the inputs for input violations.
  public var path: String
  /// The file to fix: the template, the inputs file, or `--input` / `environment` for those sources.
  public var file: String
  public var line: Int?
  public var column: Int?
  public var hint: String?
  /// For input violations: the JSON Schema keyword broken (`maximum`, `pattern`, ...) or
  /// `required`, `unknownInput`, `coercion`.
  public var rule: String?
  /// For input violations: where the value was given.
  public var source: String?

  public init(
    severity: TemplateDiagnostic.Severity, code: String, message: String, path: String, file: String,
    line: Int? = nil, column: Int? = nil, hint: String? = nil, rule: String? = nil, source: String? = nil
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.path = path
    self.file = file
    self.line = line
    self.column = column
    self.hint = hint
    self.rule = rule
    self.source = source
  }

  /// A template diagnostic; input-source problems (`--input`, environment) have no line to show.
  public init(_ diagnostic: TemplateDiagnostic) {
    let positioned = diagnostic.code != .invalidInputSource && diagnostic.location != .wholeFile
    self.init(
      severity: diagnostic.severity, code: diagnostic.code.rawValue, message: diagnostic.message,
      path: diagnostic.path, file: diagnostic.file, line: positioned ? diagnostic.line : nil,
      column: positioned ? diagnostic.column : nil, hint: diagnostic.hint)
  }

  /// An input violation of `templateFile`. A value from the inputs file is placed at its key there
  /// (the template rule becomes the hint); other values at the template rule they break.
  public init(_ violation: InputViolation, templateFile: String) {
    var message = violation.message
    if !["required", "unknownInput"].contains(violation.rule) {
      message = "input '\(violation.path.dropFirst())': " + message
    }
    let rulePosition = violation.line.map { line in "\(templateFile):\(line):\(violation.column ?? 1)" }
    switch violation.source {
    case .file(let path, let location):
      self.init(
        severity: .error, code: DiagnosticCode.inputViolation.rawValue, message: message, path: violation.path,
        file: path, line: location.line, column: location.column,
        hint: rulePosition.map { "the rule is at \($0)" }, rule: violation.rule, source: violation.source?.description)
    case .flag, .environment:
      self.init(
        severity: .error, code: DiagnosticCode.inputViolation.rawValue,
        message: message + " (from \(violation.source!))", path: violation.path, file: templateFile,
        line: violation.line, column: violation.column, rule: violation.rule, source: violation.source?.description)
    case nil:
      self.init(
        severity: .error, code: DiagnosticCode.inputViolation.rawValue, message: message, path: violation.path,
        file: templateFile, line: violation.line, column: violation.column, rule: violation.rule)
    }
  }

  public var isError: Bool { severity == .error }

  /// `file:line:column: error: message (hint) [path]`, or `file: error: ...` when there is no position;
  /// `error: file: message` for a file that cannot be read (`error: web.yaml: no such file`).
  public var description: String {
    if code == DiagnosticCode.fileUnreadable.rawValue, line == nil {
      return DiagnosticLine.wholeFile(file: file, severity: severity, message: message)
    }
    return DiagnosticLine.format(
      file: file, line: line, column: column, severity: severity, message: message, hint: hint, path: path)
  }

  /// The JSON form: always `path`, `message`, `line`, `column` (null when unknown), `code`, `file`;
  /// `hint`, `rule` and `source` when known.
  public var jsonValue: JSONValue {
    var object: [String: JSONValue] = [
      "path": .string(path), "message": .string(message), "line": line.map(JSONValue.int) ?? .null,
      "column": column.map(JSONValue.int) ?? .null, "code": .string(code), "file": .string(file),
      "severity": .string(severity.rawValue),
    ]
    if let hint { object["hint"] = .string(hint) }
    if let rule { object["rule"] = .string(rule) }
    if let source { object["source"] = .string(source) }
    return .object(object)
  }
}
