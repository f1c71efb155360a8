import Logging
import RunState

/// Whom and where a stage runs for: its run, stage, org, project, region and constraint tags.
///
/// The orchestrator sets it as a task-local value around each stage, so everything the stage does
/// (its vRA calls, the tracker's callbacks, every log line) carries it without threading it
/// through each signature, and nothing about a stage is global: two stages running at once each
/// see their own.
public struct ExecutionContext: Sendable, Hashable {
  public var runId: RunID
  public var stage: String
  public var org: String?
  public var project: String?
  public var region: String?
  /// vRA constraint tags, `key:value`, in the order the plan writes them.
  public var constraintTags: [String]

  public init(
    runId: RunID, stage: String, org: String? = nil, project: String? = nil, region: String? = nil,
    constraintTags: [String] = []
  ) {
    self.runId = runId
    self.stage = stage
    self.org = org
    self.project = project
    self.region = region
    self.constraintTags = constraintTags
  }

  /// The context of the stage the current task works for; nil outside a stage.
  @TaskLocal public static var current: ExecutionContext?

  /// The tenant, project and region a service runs the current work for (`vra-engine serve` binds it
  /// around everything it does for a request or a run); nil in the CLI.
  @TaskLocal public static var scope: RunScope?

  /// The log metadata of this context (`run.id`, `stage` unless empty, `vra.org`, `vra.project`, `vra.region`,
  /// `vra.constraint_tags`); unset values are left out.
  public var metadata: Logger.Metadata {
    var metadata: Logger.Metadata = ["run.id": "\(runId)"]
    if !stage.isEmpty { metadata["stage"] = "\(stage)" }  // empty: run-level work (the tracker's polls)
    if let org { metadata["vra.org"] = "\(org)" }
    if let project { metadata["vra.project"] = "\(project)" }
    if let region { metadata["vra.region"] = "\(region)" }
    if !constraintTags.isEmpty { metadata["vra.constraint_tags"] = "\(constraintTags.joined(separator: ","))" }
    return metadata
  }

  /// Adds the current stage's context to every log line written inside it. The CLI bootstraps
  /// swift-log with it; a library user can do the same.
  public static let metadataProvider = Logger.MetadataProvider {
    var metadata = current?.metadata ?? [:]
    if let scope {
      metadata["tenant"] = "\(scope.tenant)"
      if let principal = scope.principal { metadata["principal"] = "\(principal)" }
      if metadata["vra.project"] == nil, let project = scope.project { metadata["vra.project"] = "\(project)" }
      if metadata["vra.region"] == nil, let region = scope.region { metadata["vra.region"] = "\(region)" }
    }
    return metadata
  }
}
