import Engine
import EngineServer
import RunState
import VRAModels

/// A run's events as the server stores and streams them (`RunEventMessage`, docs/openapi.json)
/// made the `RunEvent`s a local run emits, so `--server` shows the same progress lines or table
/// (`EventDisplay`). Kinds that a local display does not show are left out.
struct RemoteEventTranslator: Sendable {
  let runId: RunID
  /// The plan's stage names, from `run.created`.
  private(set) var stages: [String] = []

  init(runId: RunID) {
    self.runId = runId
  }

  mutating func translate(_ message: RunEventMessage) -> [RunEvent] {
    let data = message.data
    switch message.kind {
    case EventRecord.Kind.runCreated:
      stages = data?["stages"]?.arrayValue?.compactMap(\.stringValue) ?? stages
      return [.runStarted(runId, stages: stages, resumed: false)]
    case EventRecord.Kind.runStatus:
      guard let to = data?["to"]?.stringValue.flatMap(RunStatus.init(rawValue:)), to.isTerminal || to == .submitted
      else { return [] }
      return [.runFinished(runId, to)]
    case EventRecord.Kind.stageStatus:
      guard let stage = message.stage, let to = data?["to"]?.stringValue.flatMap(StageStatus.init(rawValue:)) else {
        return []
      }
      let detail =
        data?["detail"]?.stringValue ?? data?["error"]?["message"]?.stringValue
        ?? data?["deploymentName"]?.stringValue
      return [.stage(stage, to, detail: detail)]
    case Self.stageProgress:
      guard let stage = message.stage, let completed = data?["completedTasks"]?.intValue,
        let total = data?["totalTasks"]?.intValue
      else { return [] }
      return [.progress(stage, completedTasks: completed, totalTasks: total)]
    case Self.stageContext:
      guard let stage = message.stage else { return [] }
      return [
        .stageContext(
          ExecutionContext(
            runId: runId, stage: stage, org: data?["org"]?.stringValue, project: data?["project"]?.stringValue,
            region: data?["region"]?.stringValue,
            constraintTags: data?["constraintTags"]?.arrayValue?.compactMap(\.stringValue) ?? []))
      ]
    default:
      return []
    }
  }

  /// Kinds the server writes besides the store's own (docs/openapi.json, `RunEventMessage`).
  static let stageProgress = "stage.progress"
  static let stageContext = "stage.context"
}
