import ArgumentParser
import EngineRuntime
import Foundation

/// `apply --report junit=FILE`, `--report markdown=FILE` (repeatable): reports CI systems read,
/// written when the run ends however it ends (docs/ci.md). With `GITHUB_STEP_SUMMARY` set (a GitHub
/// Actions step), the Markdown summary is appended there too.
struct ReportOptions: ParsableArguments {
  enum Kind: String, CaseIterable, Sendable {
    case junit, markdown
  }

  struct Request: Sendable, Equatable {
    var kind: Kind
    var path: String
  }

  @Option(
    name: .customLong("report"),
    help: ArgumentHelp(
      "Write a report when the run ends: junit=FILE (JUnit XML, one test case per stage) or markdown=FILE "
        + "(a summary table); repeatable. With GITHUB_STEP_SUMMARY set, the summary is appended there too.",
      valueName: "junit|markdown=file"))
  var reports: [String] = []

  func validate() throws {
    for report in reports where Self.parse(report) == nil {
      throw ValidationError(
        "--report must be junit=FILE or markdown=FILE, not '\(report)'")
    }
  }

  static func parse(_ text: String) -> Request? {
    guard let equals = text.firstIndex(of: "="), let kind = Kind(rawValue: String(text[..<equals]).lowercased())
    else { return nil }
    let path = String(text[text.index(after: equals)...])
    return path.isEmpty ? nil : Request(kind: kind, path: path)
  }

  var requests: [Request] { reports.compactMap(Self.parse) }

  var isEmpty: Bool { reports.isEmpty }

  /// Writes every report asked for (each whole or not at all), and appends the summary to
  /// `$GITHUB_STEP_SUMMARY` when `appendSummary` and it is set. Text passes the process's redactor.
  /// - Returns: false when a report could not be written (said on stderr).
  @discardableResult
  func write(_ report: CIReport, appendSummary: Bool = true) -> Bool {
    guard !isEmpty else { return true }
    let report = report.redacted(by: OutputRedaction.redactor)
    var written = true
    for request in requests {
      let text = request.kind == .junit ? JUnitReport.render(report) : MarkdownReport.render(report)
      do {
        try ReportFile.write(OutputRedaction.redactor.redact(text), to: Self.resolve(request.path))
      } catch {
        Terminal.err("error: could not write the \(request.kind) report to \(request.path): \(error)")
        written = false
      }
    }
    if appendSummary, let summary = CommandContext.current.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
      do {
        try ReportFile.append(OutputRedaction.redactor.redact(MarkdownReport.render(report)), to: summary)
      } catch {
        Terminal.err("warning: could not append the summary to GITHUB_STEP_SUMMARY (\(summary)): \(error)")
      }
    }
    return written
  }

  /// A relative path is the command's current directory's (a test's own, or the process's).
  static func resolve(_ path: String) -> String {
    path.hasPrefix("/") ? path : CommandContext.current.currentDirectory + "/" + path
  }
}
