import Foundation

/// One thing that happened in a run. Every consumer (the live table, log lines, the JSON
/// report, metrics) reads the same stream, so they cannot disagree.
public enum RunEvent: Sendable, Hashable {
  case runStarted(RunID, stages: [String], resumed: Bool)
  /// A stage changed status; `detail` is a short human note (deployment name, failure reason).
  case stage(String, StageStatus, detail: String?)
  /// vRA reported progress of a stage's request.
  case progress(String, completedTasks: Int, totalTasks: Int)
  case runFinished(RunID, RunStatus)
}
