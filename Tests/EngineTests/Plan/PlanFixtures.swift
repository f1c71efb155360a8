import CloudTemplate
import Engine
import Foundation
import Testing

/// Locates the plan fixtures next to the test sources.
enum PlanFixtures {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/Plans")

  static func url(_ name: String) -> URL {
    directory.appendingPathComponent(name)
  }

  /// Loads plan text as if it were a file in the fixtures directory.
  static func load(
    _ text: String, format: PlanFormat = .yaml, limits: ParseLimits = .default
  ) throws(PlanError)
    -> Plan
  {
    try PlanLoader.load(
      text, fileName: "plan.\(format == .toml ? "toml" : "yaml")", format: format, baseDirectory: directory,
      limits: limits)
  }

  /// The error loading `text` throws; records an issue when it loads.
  static func loadError(
    _ text: String, format: PlanFormat = .yaml, limits: ParseLimits = .default,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) -> PlanError? {
    do {
      _ = try load(text, format: format, limits: limits)
      Issue.record("expected the plan to be rejected", sourceLocation: sourceLocation)
      return nil
    } catch {
      return error
    }
  }

  /// A plan built in code, for graph and resolver tests that need no files.
  static func plan(_ stages: [(name: String, dependsOn: [String], inputs: [String: JSONValue])]) -> Plan {
    Plan(
      name: "p",
      stages: stages.map {
        PlanStage(
          name: $0.name, source: .blueprint(name: "bp", version: nil),
          deploymentName: PlanStage.defaultDeploymentName(plan: "p", stage: $0.name), inputs: $0.inputs,
          dependsOn: $0.dependsOn)
      }, file: "plan.yaml")
  }
}
