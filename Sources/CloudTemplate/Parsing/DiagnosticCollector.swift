/// Gathers the diagnostics of one template so every problem is reported in one pass.
struct DiagnosticCollector {
  let file: String
  private(set) var diagnostics: [TemplateDiagnostic] = []

  init(file: String) {
    self.file = file
  }

  var hasErrors: Bool { diagnostics.hasErrors }

  mutating func error(
    _ code: DiagnosticCode, _ message: String, at location: SourceLocation, path: String, hint: String? = nil
  ) {
    diagnostics.append(
      TemplateDiagnostic(
        severity: .error, code: code, message: message, file: file, location: location, path: path, hint: hint))
  }

  mutating func warning(
    _ code: DiagnosticCode, _ message: String, at location: SourceLocation, path: String, hint: String? = nil
  ) {
    diagnostics.append(
      TemplateDiagnostic(
        severity: .warning, code: code, message: message, file: file, location: location, path: path, hint: hint))
  }

  mutating func append(contentsOf other: [TemplateDiagnostic]) {
    diagnostics.append(contentsOf: other)
  }
}
