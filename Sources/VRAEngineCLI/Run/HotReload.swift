import Engine
import Logging

/// Wires config file edits made during `apply` into the running parts: log level, the tracker's
/// poll bounds and the scheduler's concurrency limits, all from one accepted configuration.
enum HotReload {
  /// Starts watching when the configuration came from a file; cancel the task to stop.
  static func start(
    _ configuration: RunConfiguration, session: RunSession, limits: ConcurrencyLimits
  ) -> Task<
    Void, Never
  >? {
    guard let provider = configuration.provider else { return nil }
    let reloader = ConfigurationReloader(
      loader: configuration.loader, provider: provider, logger: Logger(label: "vra-engine.config"))
    let embedded = session.simulator != nil
    let tracker = session.tracker
    return Task {
      await reloader.run(from: configuration.resolved) { next, _ in
        let updated = configuration.replacing(next)
        updated.applyLogSettings()
        let bounds = updated.pollIntervals(embedded: embedded)
        await tracker.updatePollIntervals(min: bounds.min, max: bounds.max)
        limits.update(updated.concurrencyLimits)
      }
    }
  }
}
