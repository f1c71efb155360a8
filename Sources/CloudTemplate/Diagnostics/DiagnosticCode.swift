/// The machine-readable kind of a template problem; stable strings for CI tooling.
public enum DiagnosticCode: String, Sendable, Hashable, Codable, CaseIterable {
  // File and YAML level.
  case fileUnreadable
  case fileTooLarge
  case invalidUTF8
  case yamlSyntax
  case duplicateKey
  case notAMapping
  case nestingTooDeep
  case aliasExpansionTooLarge
  // Template structure.
  case invalidFieldType
  case missingField
  case unknownKey
  case invalidInputType
  case invalidSchema
  case invalidDefault
  case invalidPattern
  case unsafePattern
  // Expressions and references.
  case invalidExpression
  case unknownInput
  case unknownResource
  case unknownExpressionRoot
  case dependencyCycle
  // Informational.
  case resolvedAtRequestTime
  // Input values (bound from flags, files, environment).
  case inputViolation
  /// An input source that cannot be used: a malformed `--input`, an unreadable inputs file, a stray
  /// `VRA_INPUT_` variable.
  case invalidInputSource
}
