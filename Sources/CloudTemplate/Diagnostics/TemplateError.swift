/// A template that cannot be used, carrying every error found (not just the first).
///
/// The top-level properties describe the first error so a caller that shows one line has
/// the most relevant one; `diagnostics` holds them all, warnings included.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
  public var diagnostics: [TemplateDiagnostic]

  public init(diagnostics: [TemplateDiagnostic]) {
    precondition(!diagnostics.isEmpty, "a TemplateError needs at least one diagnostic")
    self.diagnostics = diagnostics
  }

  public init(_ diagnostic: TemplateDiagnostic) {
    self.diagnostics = [diagnostic]
  }

  private var primary: TemplateDiagnostic { diagnostics.errors.first ?? diagnostics[0] }

  public var file: String { primary.file }
  public var line: Int { primary.line }
  public var column: Int { primary.column }
  /// JSON pointer of the field of the first error.
  public var field: String { primary.path }
  public var message: String { primary.message }
  public var code: DiagnosticCode { primary.code }

  public var description: String {
    diagnostics.map(\.description).joined(separator: "\n")
  }
}
