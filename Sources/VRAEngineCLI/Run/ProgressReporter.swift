import Engine
import EngineRuntime
import Foundation
import RunState
import Synchronization

/// Shows a run's events: on a terminal, a table (stage, status, progress, elapsed, detail) redrawn
/// in place, under a line naming the run (so another terminal can cancel it); otherwise one line
/// per change, what CI logs want. Both read the same `RunEvent` stream, and each line names the
/// stage's execution context (project, org, region tags). The table's ELAPSED column moves while a
/// stage runs: `tick()` (called each second by `EventDisplay`) redraws it between events.
public final class ProgressReporter: Sendable {
  private struct Row {
    var status: StageStatus = .pending
    var detail: String?
    var completed = 0
    var total = 0
    var started: Date?
    var finished: Date?
    var context: ExecutionContext?
  }

  private struct State {
    var run: RunID?
    var order: [String] = []
    var rows: [String: Row] = [:]
    var drawnLines = 0
  }

  private let interactive: Bool
  private let quiet: Bool
  private let write: @Sendable (String) -> Void
  private let now: @Sendable () -> Date
  private let state = Mutex(State())

  /// - Parameters:
  ///   - interactive: redraw a table in place (a terminal) instead of writing a line per change.
  ///   - quiet: print nothing (`--output json` keeps stdout for the report).
  ///   - write: where the text goes; standard error by default.
  ///   - now: the clock the ELAPSED column reads (tests pass a manual one).
  public init(
    interactive: Bool = isatty(STDERR_FILENO) == 1, quiet: Bool = false,
    write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.interactive = interactive
    self.quiet = quiet
    self.write = write
    self.now = now
  }

  /// Consumes `events` until the stream ends.
  public func show(_ events: AsyncStream<RunEvent>) async {
    for await event in events { handle(event) }
  }

  /// Shows one event. With `quiet`, only the run's start is shown (one line on stderr, the run id
  /// another terminal needs to cancel it); stdout stays the report's.
  public func handle(_ event: RunEvent) {
    if quiet {
      if case .runStarted(let id, _, let resumed) = event { write(Self.started(id, resumed: resumed) + "\n") }
      return
    }
    state.withLock { state in
      let line: String?
      switch event {
      case .runStarted(let id, let stages, let resumed):
        state.run = id
        state.order = stages
        for stage in stages where state.rows[stage] == nil { state.rows[stage] = Row() }
        line = "\(Self.started(id, resumed: resumed)): \(stages.joined(separator: ", "))"
      case .stageContext(let context):
        state.rows[context.stage, default: Row()].context = context
        line = nil
      case .stage(let name, let status, let detail):
        var row = state.rows[name] ?? Row()
        if row.started == nil, status == .submitting || status == .running { row.started = now() }
        row.status = status
        row.finished = status.isTerminal ? now() : nil
        row.detail = detail ?? row.detail
        state.rows[name] = row
        line = "\(name)\(Self.describe(row.context)): \(status)\(detail.map { " — \($0)" } ?? "")"
      case .progress(let name, let completed, let total):
        if var row = state.rows[name], row.completed != completed || row.total != total {
          row.completed = completed
          row.total = total
          state.rows[name] = row
          line = "\(name)\(Self.describe(row.context)): \(completed)/\(total) tasks"
        } else {
          line = nil
        }
      case .runFinished(let id, let status):
        line = "run \(id) \(status)"
      }
      // Written under the lock: a tick's frame and an event's frame never cross.
      if interactive {
        if line != nil { write(redraw(&state)) }
      } else if let line {
        write(line + "\n")
      }
    }
  }

  /// Redraws the table when a stage is under way, so its ELAPSED time moves between events.
  public func tick() {
    guard interactive, !quiet else { return }
    state.withLock { state in
      guard state.rows.values.contains(where: { $0.started != nil && $0.finished == nil }) else { return }
      write(redraw(&state))
    }
  }

  /// `run abcd1234 started` (or `resumed`).
  static func started(_ id: RunID, resumed: Bool) -> String {
    "run \(id) \(resumed ? "resumed" : "started")"
  }

  /// ` [project Development, region eu-west, tags env:prod]`, or nothing without a context.
  static func describe(_ context: ExecutionContext?) -> String {
    guard let context else { return "" }
    var parts: [String] = []
    if let project = context.project { parts.append("project \(project)") }
    if let org = context.org { parts.append("org \(org)") }
    if let region = context.region { parts.append("region \(region)") }
    if !context.constraintTags.isEmpty { parts.append("tags \(context.constraintTags.joined(separator: ","))") }
    return parts.isEmpty ? "" : " [\(parts.joined(separator: ", "))]"
  }

  /// The cursor moved up over the previous table, then the current one.
  private func redraw(_ state: inout State) -> String {
    let time = now()
    var lines: [String] = []
    if let run = state.run { lines.append("run \(run) (to cancel it from another terminal: vra-engine cancel \(run))") }
    lines.append(
      Self.pad("STAGE", 20) + Self.pad("STATUS", 14) + Self.pad("PROGRESS", 10) + Self.pad("ELAPSED", 9)
        + Self.pad("PROJECT", 16) + "DETAIL")
    for name in state.order {
      let row = state.rows[name] ?? Row()
      let progress = row.total > 0 ? "\(row.completed)/\(row.total)" : ""
      let elapsed =
        row.started.map { String(format: "%5.0fs", max(0, (row.finished ?? time).timeIntervalSince($0))) } ?? ""
      lines.append(
        Self.pad(name, 20) + Self.pad(row.status.rawValue, 14) + Self.pad(progress, 10) + Self.pad(elapsed, 9)
          + Self.pad(row.context?.project ?? "", 16) + (row.detail ?? ""))
    }
    let up = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)F" : ""
    state.drawnLines = lines.count
    return up + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\n"
  }

  private static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width
      ? String(text.prefix(width - 1)) + " " : text + String(repeating: " ", count: width - text.count)
  }
}
