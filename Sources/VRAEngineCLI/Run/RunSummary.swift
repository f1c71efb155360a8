import CloudTemplate
import Engine
import RunState

/// What `apply` prints once its run ends: with `--output json` the run's report on stdout; in text,
/// every stage's outputs on stdout (what a script or the next step reads), then how the run ended
/// on stderr.
enum RunSummary {
  static func show(
    _ runId: RunID, status: RunStatus, store: any StateStore, order: [String], output: OutputFormat
  ) async {
    let report = try? await RunReport.load(runId, from: store, order: order)
    show(runId, status: status.rawValue, report: report, output: output)
  }

  /// The same from a report already read (a server's); `details` is how to see it again.
  static func show(
    _ runId: RunID, status: String, report: RunReport?, output: OutputFormat,
    details: String = "vra-engine runs show"
  ) {
    switch output {
    case .json:
      if let report { OutputJSON.print(report) }
    case .text:
      if let report, let outputs = outputsText(report) { Terminal.out(outputs) }
      Terminal.err("run \(runId): \(status)  (details: \(details) \(runId))")
    }
  }

  /// `outputs:` and one `  stage.name = value` line per output, stages in plan order; nil when no
  /// stage has any.
  static func outputsText(_ report: RunReport) -> String? {
    var lines: [String] = []
    for stage in report.stages {
      for (key, value) in (stage.outputs?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
        lines.append("  \(stage.name).\(key) = \(value.stringValue ?? JSONText.render(value))")
      }
    }
    return lines.isEmpty ? nil : (["outputs:"] + lines).joined(separator: "\n")
  }
}
