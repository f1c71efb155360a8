/// The machine-readable kind of a plan problem; stable strings for CI tooling.
public enum PlanDiagnosticCode: String, Sendable, Hashable, Codable, CaseIterable {
  // File and syntax level.
  case fileUnreadable
  case fileTooLarge
  case invalidUTF8
  case syntax
  case duplicateKey
  case notAMapping
  case nestingTooDeep
  case aliasExpansionTooLarge
  case unsupportedFormat
  /// A template path that leaves the submitted bundle (`vra-engine serve`).
  case outsideBundle
  // Plan structure.
  case unknownKey
  case invalidFieldType
  case invalidValue
  case missingField
  case conflictingFields
  case duplicateStage
  // A problem inside a stage's template (`templateCode` says which).
  case template
  // References and the stage graph.
  case invalidReference
  case unknownStage
  case unknownOutput
  case unknownResource
  case unknownEnvironmentVariable
  /// A `secrets:` value that is not a valid `vault:`, `env:` or `file:` reference.
  case invalidSecretReference
  /// A warning: a secret goes into a template input not marked `encrypted: true`.
  case secretInputNotEncrypted
  case dependencyCycle
  // Input values checked against a template's inputs.
  case inputViolation
  // Checked against vRA before anything is sent (`Preflight`).
  case unknownProject
  case unknownBlueprint
  case unknownBlueprintVersion
  case unknownCatalogItem
  /// An action stage's `deployment:` names no deployment vRA has.
  case unknownDeployment
}
