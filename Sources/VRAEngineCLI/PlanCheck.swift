import ArgumentParser
import CloudTemplate
import Engine
import Foundation

/// A plan's problems as `validate PLAN` and `apply` report them: compiler-style lines on stderr,
/// and with `--output json` a document on stdout, `{"valid", "errors": [...], "warnings": [...]}`
/// whose entries have the keys of `validate`'s template findings (`file`, `line`, `column`,
/// `message`, `code`, `path`, `severity`, and `hint`, `stage` when known).
enum PlanCheck {
  /// Prints `diagnostics` (stderr, and the JSON document on stdout with `--output json`) and
  /// returns exit code 2 to throw; `sayNothingWasSent` adds that nothing was submitted (after the
  /// checks against vRA, when the reader may wonder).
  static func refuse(
    _ diagnostics: [PlanDiagnostic], output: OutputFormat, sayNothingWasSent: Bool = false
  ) -> ExitCode {
    for diagnostic in diagnostics { Terminal.err(diagnostic.description) }
    GitHubAnnotations.emit(diagnostics)
    if sayNothingWasSent {
      let errors = diagnostics.errors.count
      Terminal.err("nothing was submitted: fix the \(errors == 1 ? "problem" : "problems") above")
    }
    if output == .json { OutputJSON.print(jsonValue(diagnostics)) }
    return ExitCodes.usageOrValidation
  }

  static func jsonValue(_ diagnostics: [PlanDiagnostic]) -> JSONValue {
    .object([
      "valid": .bool(!diagnostics.hasErrors),
      "errors": .array(diagnostics.errors.map(jsonValue)),
      "warnings": .array(diagnostics.warnings.map(jsonValue)),
    ])
  }

  /// One diagnostic; `line` and `column` are null for a file that cannot be read at all.
  static func jsonValue(_ diagnostic: PlanDiagnostic) -> JSONValue {
    let position = diagnostic.location.positioned
    var object: [String: JSONValue] = [
      "file": .string(diagnostic.file), "line": position.map { .int($0.line) } ?? .null,
      "column": position.map { .int($0.column) } ?? .null, "message": .string(diagnostic.message),
      "code": .string(diagnostic.templateCode?.rawValue ?? diagnostic.code.rawValue), "path": .string(diagnostic.path),
      "severity": .string(diagnostic.severity.rawValue),
    ]
    if let hint = diagnostic.hint { object["hint"] = .string(hint) }
    if let stage = diagnostic.stage { object["stage"] = .string(stage) }
    return .object(object)
  }
}
