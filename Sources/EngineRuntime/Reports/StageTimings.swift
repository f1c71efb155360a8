import Foundation
import RunState
import VRAModels

/// When each stage of a run started and ended, read from the run's `stage.status` events: from its
/// last intent (`→ submitting`, or `→ running` for a stage an environment leaves unchanged) to the
/// end of that attempt (`→ succeeded | failed | cancelled | skipped`). A resumed run's stage is timed
/// by its last attempt; later rollbacks and deletions are not the stage's time.
struct StageTimings {
  private var started: [String: Date] = [:]
  private var ended: [String: Date] = [:]

  init(events: [EventRecord]) {
    let ends: Set<String> = ["succeeded", "failed", "cancelled", "skipped"]
    for event in events.sorted(by: { $0.sequence < $1.sequence }) where event.kind == EventRecord.Kind.stageStatus {
      guard let stage = event.stage, let to = event.data?.objectValue?["to"]?.stringValue else { continue }
      let from = event.data?.objectValue?["from"]?.stringValue
      if from == "pending", to != "skipped" {
        started[stage] = event.at
        ended[stage] = nil
      } else if ends.contains(to), started[stage] != nil, ended[stage] == nil {
        ended[stage] = event.at
      }
    }
  }

  /// Nil for a stage that never started or has not ended.
  func duration(of stage: String) -> Duration? {
    guard let start = started[stage], let end = ended[stage] else { return nil }
    return .milliseconds(Int64((max(0, end.timeIntervalSince(start)) * 1000).rounded()))
  }
}
