import Engine
import Foundation
import Logging

/// Log lines go to stderr (stdout is for results such as `--output json`), at the level of
/// `VRA_ENGINE_LOG_LEVEL` (trace, debug, info, notice, warning, error, critical; default warning,
/// so a run shows its progress, not every HTTP call). Every line passes the process's redactor
/// (`OutputRedaction`) on its way out.
enum LogSetup {
  static let bootstrap: Void = {
    let text = ProcessInfo.processInfo.environment["VRA_ENGINE_LOG_LEVEL"]?.lowercased() ?? ""
    let level = Logger.Level(rawValue: text) ?? .warning
    // Every line written inside a stage carries its execution context (run, stage, project, org, region).
    LoggingSystem.bootstrap(
      { label, provider in
        var handler = RedactingLogHandler(redactor: OutputRedaction.redactor, metadataProvider: provider) {
          StreamLogHandler.standardError(label: label, metadataProvider: $0)
        }
        handler.logLevel = level
        return handler
      }, metadataProvider: ExecutionContext.metadataProvider)
  }()
}
