import Engine
import Foundation
import Synchronization

/// Shows a run's events: on a terminal, a table redrawn in place; otherwise one line per change
/// (what CI logs want). Both read the same `RunEvent` stream.
final class ProgressReporter: Sendable {
  private struct Row {
    var status: StageStatus = .pending
    var detail: String?
    var completed = 0
    var total = 0
    var started: Date?
  }

  private struct State {
    var order: [String] = []
    var rows: [String: Row] = [:]
    var drawnLines = 0
  }

  private let interactive: Bool
  private let quiet: Bool
  private let state = Mutex(State())

  /// - Parameter quiet: print nothing (`--output json` keeps stdout for the report).
  init(interactive: Bool = isatty(STDERR_FILENO) == 1, quiet: Bool = false) {
    self.interactive = interactive
    self.quiet = quiet
  }

  func handle(_ event: RunEvent) {
    guard !quiet else { return }
    let output: String? = state.withLock { state in
      switch event {
      case .runStarted(let id, let stages, let resumed):
        state.order = stages
        for stage in stages where state.rows[stage] == nil { state.rows[stage] = Row() }
        return interactive ? nil : "run \(id) \(resumed ? "resumed" : "started"): \(stages.joined(separator: ", "))\n"
      case .stage(let name, let status, let detail):
        var row = state.rows[name] ?? Row()
        if row.started == nil, status == .submitting || status == .running { row.started = Date() }
        row.status = status
        row.detail = detail ?? row.detail
        state.rows[name] = row
        return interactive ? nil : "\(name): \(status)\(detail.map { " — \($0)" } ?? "")\n"
      case .progress(let name, let completed, let total):
        state.rows[name]?.completed = completed
        state.rows[name]?.total = total
        return nil
      case .runFinished(let id, let status):
        return interactive ? nil : "run \(id) \(status)\n"
      }
    }
    if let output {
      FileHandle.standardError.write(Data(output.utf8))
    } else if interactive {
      redraw()
    }
  }

  /// Moves the cursor up over the previous table and draws the current one.
  private func redraw() {
    let text: String = state.withLock { state in
      var lines = [Self.pad("STAGE", 20) + Self.pad("STATUS", 14) + Self.pad("PROGRESS", 10) + "ELAPSED  DETAIL"]
      for name in state.order {
        let row = state.rows[name] ?? Row()
        let progress = row.total > 0 ? "\(row.completed)/\(row.total)" : ""
        let elapsed = row.started.map { String(format: "%5.0fs", Date().timeIntervalSince($0)) } ?? ""
        lines.append(
          Self.pad(name, 20) + Self.pad(row.status.rawValue, 14) + Self.pad(progress, 10) + Self.pad(elapsed, 9)
            + (row.detail ?? ""))
      }
      let up = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)F" : ""
      state.drawnLines = lines.count
      return up + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\n"
    }
    FileHandle.standardError.write(Data(text.utf8))
  }

  private static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width
      ? String(text.prefix(width - 1)) + " " : text + String(repeating: " ", count: width - text.count)
  }
}
