import Engine
import Foundation
import Logging

/// Log lines go to stderr (stdout is for results such as `--output json`), as text or JSON, at
/// the level of `log.level` (flag, `VRA_ENGINE_LOG_LEVEL`, or a config file; default warning, so a
/// run shows its progress, not every HTTP call). Level and format live in `LogControl`, read on
/// every line, so the configuration (and a hot reload of it) can change them after bootstrap.
/// Every line passes the process's redactor (`OutputRedaction`) on its way out.
public enum LogSetup {
  public static let bootstrap: Void = {
    let text = ProcessInfo.processInfo.environment["VRA_ENGINE_LOG_LEVEL"]?.lowercased() ?? ""
    if let level = Logger.Level(rawValue: text) { LogControl.shared.level = level }
    // Every line written inside a stage carries its execution context (run, stage, project, org, region).
    LoggingSystem.bootstrap(
      { label, provider in
        RedactingLogHandler(redactor: OutputRedaction.redactor, metadataProvider: provider) {
          StderrLogHandler(label: label, metadataProvider: $0)
        }
      },
      metadataProvider: ExecutionContext.metadataProvider)
  }()
}
