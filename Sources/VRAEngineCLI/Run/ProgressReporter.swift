import Engine
import EngineRuntime
import Foundation
import RunState
import Synchronization

/// Shows a run's events: on a terminal, a table (stage, status, progress, elapsed, detail) redrawn
/// in place; otherwise one line per change, what CI logs want. Both read the same `RunEvent`
/// stream, and each line names the stage's execution context (project, org, region tags).
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
    var order: [String] = []
    var rows: [String: Row] = [:]
    var drawnLines = 0
  }

  private let interactive: Bool
  private let quiet: Bool
  private let write: @Sendable (String) -> Void
  private let state = Mutex(State())

  /// - Parameters:
  ///   - interactive: redraw a table in place (a terminal) instead of writing a line per change.
  ///   - quiet: print nothing (`--output json` keeps stdout for the report).
  ///   - write: where the text goes; standard error by default.
  public init(
    interactive: Bool = isatty(STDERR_FILENO) == 1, quiet: Bool = false,
    write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
  ) {
    self.interactive = interactive
    self.quiet = quiet
    self.write = write
  }

  /// Consumes `events` until the stream ends.
  public func show(_ events: AsyncStream<RunEvent>) async {
    for await event in events { handle(event) }
  }

  public func handle(_ event: RunEvent) {
    guard !quiet else { return }
    let line: String? = state.withLock { state in
      switch event {
      case .runStarted(let id, let stages, let resumed):
        state.order = stages
        for stage in stages where state.rows[stage] == nil { state.rows[stage] = Row() }
        return "run \(id) \(resumed ? "resumed" : "started"): \(stages.joined(separator: ", "))"
      case .stageContext(let context):
        state.rows[context.stage, default: Row()].context = context
        return nil
      case .stage(let name, let status, let detail):
        var row = state.rows[name] ?? Row()
        if row.started == nil, status == .submitting || status == .running { row.started = Date() }
        row.status = status
        row.finished = status.isTerminal ? Date() : nil
        row.detail = detail ?? row.detail
        state.rows[name] = row
        return "\(name)\(Self.describe(row.context)): \(status)\(detail.map { " — \($0)" } ?? "")"
      case .progress(let name, let completed, let total):
        guard var row = state.rows[name], row.completed != completed || row.total != total else { return nil }
        row.completed = completed
        row.total = total
        state.rows[name] = row
        return "\(name)\(Self.describe(row.context)): \(completed)/\(total) tasks"
      case .runFinished(let id, let status):
        return "run \(id) \(status)"
      }
    }
    if interactive {
      if line != nil { write(redraw()) }
    } else if let line {
      write(line + "\n")
    }
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
  private func redraw() -> String {
    state.withLock { state in
      var lines = [
        Self.pad("STAGE", 20) + Self.pad("STATUS", 14) + Self.pad("PROGRESS", 10) + Self.pad("ELAPSED", 9)
          + Self.pad("PROJECT", 16) + "DETAIL"
      ]
      for name in state.order {
        let row = state.rows[name] ?? Row()
        let progress = row.total > 0 ? "\(row.completed)/\(row.total)" : ""
        let elapsed =
          row.started.map { String(format: "%5.0fs", (row.finished ?? Date()).timeIntervalSince($0)) } ?? ""
        lines.append(
          Self.pad(name, 20) + Self.pad(row.status.rawValue, 14) + Self.pad(progress, 10) + Self.pad(elapsed, 9)
            + Self.pad(row.context?.project ?? "", 16) + (row.detail ?? ""))
      }
      let up = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)F" : ""
      state.drawnLines = lines.count
      return up + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\n"
    }
  }

  private static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width
      ? String(text.prefix(width - 1)) + " " : text + String(repeating: " ", count: width - text.count)
  }
}
