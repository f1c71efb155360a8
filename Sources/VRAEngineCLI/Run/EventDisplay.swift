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
  /// Redraws the table each second on a terminal, so the ELAPSED column moves while a stage runs.
  private let ticker: Task<Void, Never>?

  /// - Parameter quiet: show nothing but the run's start (`--output json` keeps stdout for the report).
  ///
  /// With `--log-format json` each progress line is a JSON object too (label `vra-engine.progress`),
  /// so a log shipper reading stderr sees nothing but JSON.
  init(quiet: Bool) {
    let (events, sink, finish) = RunEvent.stream()
    let json = LogControl.shared.format == .json
    let interactive = !json && Terminal.allowsEscapes(.standardError)
    let reporter =
      json
      ? ProgressReporter(interactive: false, quiet: quiet) {
        Terminal.write(Terminal.jsonLines($0, label: "vra-engine.progress"), to: .standardError)
      }
      : ProgressReporter(interactive: interactive, quiet: quiet) { Terminal.write($0, to: .standardError) }
    self.sink = sink
    self.finish = finish
    consumer = Task { await reporter.show(events) }
    ticker =
      interactive && !quiet
      ? Task {
        while (try? await Task.sleep(for: .seconds(1))) != nil { reporter.tick() }
      } : nil
  }

  func close() async {
    ticker?.cancel()
    await ticker?.value
    finish()
    await consumer.value
  }
}
