import Engine
import EngineRuntime
import Foundation

/// A run's event stream and the progress display reading it. The orchestrator feeds `sink`;
/// `close()` ends the stream and waits until everything emitted is shown, so the command's
/// final lines come after the progress, never in the middle of it.
struct EventDisplay {
  let sink: @Sendable (RunEvent) -> Void
  private let finish: @Sendable () -> Void
  private let consumer: Task<Void, Never>

  /// - Parameter quiet: show nothing (`--output json` keeps stdout for the report).
  ///
  /// With `--log-format json` each progress line is a JSON object too (label `vra-engine.progress`),
  /// so a log shipper reading stderr sees nothing but JSON.
  init(quiet: Bool) {
    let (events, sink, finish) = RunEvent.stream()
    let reporter =
      LogControl.shared.format == .json
      ? ProgressReporter(interactive: false, quiet: quiet) {
        Terminal.write(Terminal.jsonLines($0, label: "vra-engine.progress"), to: .standardError)
      }
      : ProgressReporter(quiet: quiet) { Terminal.write($0, to: .standardError) }
    self.sink = sink
    self.finish = finish
    consumer = Task { await reporter.show(events) }
  }

  func close() async {
    finish()
    await consumer.value
  }
}
