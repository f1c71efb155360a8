import CloudTemplate
import Foundation

/// A multi-stage rollout read from a plan file: what `vra-engine apply` runs.
///
/// Stages keep the order of the file; `StageGraph` derives the order they run in. A `Plan` returned by
/// `PlanLoader` is structurally sound (every field typed, every template parsed); `PlanValidator`
/// checks what needs the whole plan (references, cycles, inputs).
public struct Plan: Sendable, Hashable {
  public var name: String
  public var defaults: PlanDefaults
  /// The stages, in the order the file lists them.
  public var stages: [PlanStage]
  /// The plan file's path, as diagnostics print it.
  public var file: String
  /// The environment the plan converges (`environment:`); `--env` overrides it.
  public var environment: String?
  /// Where `environment:`'s value is written.
  public var environmentLocation: SourceLocation?

  public init(name: String, defaults: PlanDefaults = PlanDefaults(), stages: [PlanStage], file: String) {
    self.name = name
    self.defaults = defaults
    self.stages = stages
    self.file = file
  }

  public var stageNames: [String] { stages.map(\.name) }

  public func stage(named name: String) -> PlanStage? {
    stages.first { $0.name == name }
  }

  /// The project a stage deploys into: its own override, else the plan default.
  public func project(for stage: PlanStage) -> String? {
    stage.project ?? defaults.project
  }

  /// The stage's timeout, else the plan default.
  public func timeout(for stage: PlanStage) -> Duration? {
    stage.timeout ?? defaults.timeout
  }

  /// How long the stage's request may wait for an approval: the stage's setting, else the plan
  /// default; nil: no limit.
  public func approvalTimeout(for stage: PlanStage) -> Duration? {
    stage.approvalTimeout ?? defaults.approvalTimeout
  }

  /// How many times a FAILED stage is resubmitted: the stage's own setting, else the plan default.
  public func retries(for stage: PlanStage) -> Int {
    stage.retries ?? defaults.retries
  }

  /// The execution context of a stage: the plan defaults with the stage's own values on top.
  public func placement(for stage: PlanStage) -> StagePlacement {
    defaults.placement.overridden(by: stage.placement)
  }
}
