import CloudTemplate

/// A plan that cannot be run, carrying every problem found (not just the first).
///
/// The top-level properties describe the first error; `diagnostics` holds them all, warnings included.
/// The CLI maps it to exit code 2 (usage/validation error).
public struct PlanError: Error, Sendable, CustomStringConvertible {
  public var diagnostics: [PlanDiagnostic]

  public init(diagnostics: [PlanDiagnostic]) {
    precondition(!diagnostics.isEmpty, "a PlanError needs at least one diagnostic")
    self.diagnostics = diagnostics
  }

  public init(_ diagnostic: PlanDiagnostic) {
    self.diagnostics = [diagnostic]
  }

  private var primary: PlanDiagnostic { diagnostics.errors.first ?? diagnostics[0] }

  public var code: PlanDiagnosticCode { primary.code }
  public var message: String { primary.message }
  public var hint: String? { primary.hint }
  public var file: String { primary.file }
  public var line: Int { primary.line }
  public var column: Int { primary.column }
  /// JSON pointer of the field of the first error.
  public var path: String { primary.path }

  public var description: String {
    diagnostics.map(\.description).joined(separator: "\n")
  }
}
