import Foundation

/// A `CIReport` as a Markdown summary (`apply --report markdown=FILE`, and GitHub's
/// `$GITHUB_STEP_SUMMARY`): a heading with the run and how it ended, then one table row per stage
/// (stage, status, deployment, duration, reason) and the notes (`--max-duration`, the teardown).
/// Table cells are escaped (`|`, line breaks, HTML brackets), so vRA's reason cannot break the table.
public enum MarkdownReport {
  public static func render(_ report: CIReport) -> String {
    var lines: [String] = []
    let icon = report.status == "succeeded" ? "✅" : "❌"
    let duration = report.duration.map { " in \(describe($0))" } ?? ""
    lines.append(
      "### \(icon) vra-engine: \(cell(report.planName)) — run `\(code(report.runId))` \(report.status)\(duration)")
    lines.append("")
    lines.append("| Stage | Status | Deployment | Duration | Reason |")
    lines.append("| --- | --- | --- | --- | --- |")
    for testCase in report.cases {
      let deployment = testCase.deploymentName.map { "`\(code($0))`" } ?? ""
      lines.append(
        "| \(cell(testCase.name)) | \(statusCell(testCase)) | \(deployment) | "
          + "\(testCase.duration.map(describe) ?? "") | \(cell(testCase.reason ?? "")) |")
    }
    if !report.notes.isEmpty {
      lines.append("")
      for note in report.notes { lines.append("- \(cell(note))") }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func statusCell(_ testCase: CIReport.TestCase) -> String {
    switch testCase.outcome {
    case .passed: "✅ \(testCase.status)"
    case .failed: "❌ \(testCase.status)"
    case .skipped: "⏭️ \(testCase.status)"
    }
  }

  /// `1m 05s`, `12.3s`.
  static func describe(_ duration: Duration) -> String {
    let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    if milliseconds < 60_000 { return String(format: "%.1fs", Double(milliseconds) / 1000) }
    let seconds = milliseconds / 1000
    return seconds < 3600
      ? String(format: "%dm %02ds", seconds / 60, seconds % 60)
      : String(format: "%dh %02dm", seconds / 3600, (seconds % 3600) / 60)
  }

  /// Text safe in a table cell: one line, `|` escaped, no HTML.
  static func cell(_ text: String) -> String {
    text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
      .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }

  /// Text inside backticks: no backtick or line break can end it early.
  static func code(_ text: String) -> String {
    cell(text).replacingOccurrences(of: "`", with: "'")
  }
}
