import Engine
import Logging

/// Wires config file edits made during `apply` into the running parts: log level, the tracker's
/// poll bounds and the scheduler's concurrency limits, all from one accepted configuration.
public enum HotReload {
  /// Runs `body` while the config file (when the configuration came from one) is watched; the
  /// watching stops when `body` ends.
  public static func watching<Result>(
    _ configuration: RunConfiguration, session: RunSession, limits: ConcurrencyLimits,
    _ body: () async throws -> Result
  ) async throws -> Result {
    guard let provider = configuration.provider else { return try await body() }
    let reloader = ConfigurationReloader(
      loader: configuration.loader, provider: provider, logger: Logger(label: "vra-engine.config"))
    let embedded = session.simulator != nil
    let tracker = session.tracker
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
      group.addTask {
        await reloader.run(from: configuration.resolved) { next, _ in
          let updated = configuration.replacing(next)
          updated.applyLogSettings()
          let bounds = updated.pollIntervals(embedded: embedded)
          await tracker.updatePollIntervals(min: bounds.min, max: bounds.max)
          limits.update(updated.concurrencyLimits)
        }
      }
      defer { group.cancelAll() }
      return try await body()
    }
  }
}
