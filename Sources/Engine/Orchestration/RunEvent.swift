import Foundation
import RunState

/// One thing that happened in a run. Every consumer (the live table, log lines, the JSON
/// report, metrics) reads the same stream, so they cannot disagree.
public enum RunEvent: Sendable, Hashable {
  case runStarted(RunID, stages: [String], resumed: Bool)
  /// A stage is about to run, with the execution context it carries (org, project, region tags).
  case stageContext(ExecutionContext)
  /// A stage changed status; `detail` is a short human note (deployment name, failure reason).
  case stage(String, StageStatus, detail: String?)
  /// vRA reported progress of a stage's request.
  case progress(String, completedTasks: Int, totalTasks: Int)
  case runFinished(RunID, RunStatus)

  /// An event stream and the sink that feeds it, for `Orchestrator(events:)`: the orchestrator
  /// never waits for a slow consumer (the stream buffers), and events arrive in the order emitted.
  /// Call `finish` when the run is over so consumers' loops end.
  public static func stream() -> (
    events: AsyncStream<RunEvent>, sink: @Sendable (RunEvent) -> Void, finish: @Sendable () -> Void
  ) {
    let (stream, continuation) = AsyncStream<RunEvent>.makeStream(bufferingPolicy: .unbounded)
    return (stream, { continuation.yield($0) }, { continuation.finish() })
  }
}
