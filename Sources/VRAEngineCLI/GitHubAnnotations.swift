import CloudTemplate
import Engine
import Foundation

/// On GitHub Actions (`GITHUB_ACTIONS=true`), validation problems are also printed as workflow
/// commands, `::error file=F,line=L,col=C::message` (and `::warning`), so they show on the pull
/// request's diff. Written raw to stderr, which the runner reads as it reads stdout, so stdout stays
/// the command's (a `--output json` document) and a `--log-format json` stderr gets them unwrapped.
/// Escaped as the runner unescapes them: `%`, CR and LF in the message; also `:` and `,` in properties.
enum GitHubAnnotations {
  static var enabled: Bool { CommandContext.current.environment["GITHUB_ACTIONS"] == "true" }

  /// One annotation line.
  static func line(
    severity: TemplateDiagnostic.Severity, file: String?, line: Int?, column: Int?, message: String
  ) -> String {
    var properties: [String] = []
    if let file { properties.append("file=\(escapeProperty(relative(file)))") }
    if let line { properties.append("line=\(line)") }
    if let column { properties.append("col=\(column)") }
    let command = severity == .error ? "error" : "warning"
    return "::\(command)\(properties.isEmpty ? "" : " " + properties.joined(separator: ","))::\(escapeData(message))"
  }

  static func escapeData(_ text: String) -> String {
    text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
      .replacingOccurrences(of: "\n", with: "%0A")
  }

  static func escapeProperty(_ text: String) -> String {
    escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
  }

  /// A path under `$GITHUB_WORKSPACE` made relative to it (GitHub places annotations by the path in
  /// the repository); any other path as it is.
  static func relative(_ path: String) -> String {
    guard let workspace = CommandContext.current.environment["GITHUB_WORKSPACE"], !workspace.isEmpty else {
      return path
    }
    let absolute = path.hasPrefix("/") ? path : CommandContext.current.currentDirectory + "/" + path
    let standardized = URL(fileURLWithPath: absolute).standardizedFileURL.path
    let root = URL(fileURLWithPath: workspace).standardizedFileURL.path
    let prefix = root.hasSuffix("/") ? root : root + "/"
    return standardized.hasPrefix(prefix) ? String(standardized.dropFirst(prefix.count)) : path
  }

  static func emit(_ lines: [String]) {
    guard enabled, !lines.isEmpty else { return }
    Terminal.write(lines.joined(separator: "\n") + "\n", to: .standardError)
  }

  /// A plan's problems (`validate PLAN`, `apply`'s checks before anything is sent).
  static func emit(_ diagnostics: [PlanDiagnostic]) {
    emit(
      diagnostics.map { diagnostic in
        let position = diagnostic.location.positioned
        let stage = diagnostic.stage.map { "stage '\($0)': " } ?? ""
        let message = diagnostic.message.hasPrefix("stage '") ? diagnostic.message : stage + diagnostic.message
        return line(
          severity: diagnostic.severity, file: diagnostic.file, line: position?.line, column: position?.column,
          message: message + (diagnostic.hint.map { " (\($0))" } ?? ""))
      })
  }

  /// A template's findings and its inputs' (`validate TEMPLATE`): those without a file position
  /// (`--input`, the environment) are annotations without a file.
  static func emit(_ findings: [ValidationFinding]) {
    emit(
      findings.map { finding in
        let inFile = finding.line != nil
        return line(
          severity: finding.severity, file: inFile ? finding.file : nil, line: finding.line, column: finding.column,
          message: (inFile ? "" : "\(finding.file): ") + finding.message + (finding.hint.map { " (\($0))" } ?? ""))
      })
  }
}
