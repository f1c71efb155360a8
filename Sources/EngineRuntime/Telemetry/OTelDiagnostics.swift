import Foundation
import Logging
import Synchronization

/// swift-otel's own log lines (its "diagnostic logger"), kept out of the process's swift-log setup.
///
/// swift-otel reports an `OTEL_*` value it cannot parse with a warning and goes on with the
/// default; vra-engine turns those warnings into `configurationProblems`, so a typo is an error
/// (exit 2) rather than traces silently going elsewhere. Everything else it says (an export that
/// failed, ...) goes to stderr at `OTEL_LOG_LEVEL`, warning unless set.
final class OTelDiagnostics: Sendable {
  private let problems = Mutex<[String]>([])
  private let environment: [String: String]

  init(environment: [String: String]) {
    self.environment = environment
  }

  /// The variables swift-otel could not apply, one message each, traces' only: a bad metrics or
  /// logs variable does not matter to a process that exports neither.
  var configurationProblems: [String] { problems.withLock { $0 } }

  var logger: Logger {
    Logger(label: "swift-otel") { [self] _ in Handler(diagnostics: self) }
  }

  fileprivate func record(key reported: String, value: String, hint: String?) {
    guard !Self.ignoredKeyParts.contains(where: reported.contains) else { return }
    // swift-otel names the traces variable even when the value came from the shared one.
    let shared = reported.replacingOccurrences(of: "_TRACES_", with: "_")
    let key = environment[reported] == nil && environment[shared] != nil ? shared : reported
    // Header values carry credentials (OTEL_EXPORTER_OTLP_HEADERS=Authorization=...): never echoed.
    let shown = key.contains("HEADERS") ? "" : "=\(value)"
    let message = "\(key)\(shown) is not valid: " + (hint ?? "see docs/observability.md (Traces) for the values")
    problems.withLock { if !$0.contains(message) { $0.append(message) } }
  }

  private static let ignoredKeyParts = ["_METRIC", "_LOGS", "_BLRP_", "OTEL_SWIFT_"]

  private struct Handler: LogHandler {
    let diagnostics: OTelDiagnostics
    var metadata: Logger.Metadata = [:]
    /// What is printed; swift-otel sets it from `OTEL_LOG_LEVEL`.
    var threshold: Logger.Level = .warning

    // Every line reaches `log`, which records configuration failures whatever the threshold.
    var logLevel: Logger.Level {
      get { .trace }
      set { threshold = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
      let all = metadata.merging(event.metadata ?? [:]) { $1 }
      if event.message.description == "Failed to update configuration from environment",
        let key = all["environment_key"].map({ "\($0)" })
      {
        diagnostics.record(
          key: key, value: all["environment_value"].map { "\($0)" } ?? "", hint: all["hint"].map { "\($0)" })
        return
      }
      guard event.level >= threshold else { return }
      var text = "otel: \(event.level): \(event.message)"
      if let error = event.error { text += " (\(error))" }
      FileHandle.standardError.write(Data((text + "\n").utf8))
    }
  }
}
