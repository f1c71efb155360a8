import Engine
import Foundation
import RunState
import VRAModels

/// Writes the run events only the orchestrator's stream carries (a stage's execution context and
/// its request's progress) to the store's event log, so a client following the run through the
/// API sees what `apply`'s live table shows. Status changes are already in the log: the store
/// writes them with the change.
struct RunEventRecorder: Sendable {
  static let stageContext = "stage.context"
  static let stageProgress = "stage.progress"

  let store: SQLStateStore
  let run: RunID

  func record(_ events: AsyncStream<RunEvent>) async {
    var lastProgress: [String: (Int, Int)] = [:]
    for await event in events {
      switch event {
      case .stageContext(let context):
        var data: [String: JSONValue] = [
          "constraintTags": .array(context.constraintTags.map(JSONValue.string))
        ]
        if let org = context.org { data["org"] = .string(org) }
        if let project = context.project { data["project"] = .string(project) }
        if let region = context.region { data["region"] = .string(region) }
        await append(stage: context.stage, kind: Self.stageContext, message: "stage \(context.stage) context", data)
      case .progress(let stage, let completed, let total):
        // One event per change of the counts, not per poll.
        guard lastProgress[stage].map({ $0 != (completed, total) }) ?? true else { continue }
        lastProgress[stage] = (completed, total)
        await append(
          stage: stage, kind: Self.stageProgress, message: "stage \(stage): \(completed)/\(total) tasks",
          ["completedTasks": .int(completed), "totalTasks": .int(total)])
      default:
        continue
      }
    }
  }

  private func append(stage: String, kind: String, message: String, _ data: [String: JSONValue]) async {
    // Best effort: the log of record is the status history; a refused write (the lease went to
    // another owner) loses only a display line.
    _ = try? await store.appendEvent(run: run, stage: stage, kind: kind, message: message, data: .object(data))
  }
}
