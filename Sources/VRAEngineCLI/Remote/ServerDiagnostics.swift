import ArgumentParser
import CloudTemplate
import EngineServer
import VRAModels

/// The located problems of a server's answer (`invalid-plan`) printed as the local validator
/// prints its own: `file:line:column: error: message (hint) [field]` on stderr, and with
/// `--output json` the document `apply`/`validate` print, `{"valid", "errors", "warnings"}`.
enum ServerDiagnostics {
  /// One compiler-style line; `file` as the user knows it (`path` maps a bundle path to the local one).
  static func line(
    _ item: Problem.Item, severity: TemplateDiagnostic.Severity, path: (String) -> String = { $0 }
  ) -> String {
    let file = item.file.map(path) ?? "<server>"
    guard item.line != nil else {
      return DiagnosticLine.wholeFile(file: file, severity: severity, message: item.message)
    }
    return DiagnosticLine.format(
      file: file, line: item.line, column: item.column, severity: severity, message: item.message, hint: item.hint,
      path: item.field ?? "")
  }

  /// Prints every item of `problem` and returns the exit code of an invalid plan (2) to throw.
  static func refuse(_ problem: Problem, output: OutputFormat, path: (String) -> String) -> ExitCode {
    let errors = problem.errors ?? []
    let warnings = problem.warnings ?? []
    if errors.isEmpty { Terminal.err("error: \(problem.title)\(problem.detail.map { ": \($0)" } ?? "")") }
    for item in errors { Terminal.err(line(item, severity: .error, path: path)) }
    for item in warnings { Terminal.err(line(item, severity: .warning, path: path)) }
    if output == .json {
      OutputJSON.print(
        JSONValue.object([
          "valid": false,
          "errors": .array(errors.map { json($0, severity: .error, path: path) }),
          "warnings": .array(warnings.map { json($0, severity: .warning, path: path) }),
        ]))
    }
    return ExitCodes.usageOrValidation
  }

  /// One item with the keys of `PlanCheck.jsonValue` (`file`, `line`, `column`, `message`, `code`,
  /// `path`, `severity`, and `hint`, `stage` when known).
  static func json(
    _ item: Problem.Item, severity: TemplateDiagnostic.Severity, path: (String) -> String
  ) -> JSONValue {
    var object: [String: JSONValue] = [
      "file": item.file.map { .string(path($0)) } ?? .null, "line": item.line.map { .int($0) } ?? .null,
      "column": item.column.map { .int($0) } ?? .null, "message": .string(item.message),
      "code": item.code.map { .string($0) } ?? .null, "path": .string(item.field ?? ""),
      "severity": .string(severity.rawValue),
    ]
    if let hint = item.hint { object["hint"] = .string(hint) }
    if let stage = item.stage { object["stage"] = .string(stage) }
    return .object(object)
  }
}
