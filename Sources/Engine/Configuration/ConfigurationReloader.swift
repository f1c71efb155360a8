import Configuration
import Logging

/// Watches the config file while a run goes on and hands over each valid edit.
///
/// An edit is applied whole or not at all: the edited file is layered again under the same flags
/// and environment (which still win), and only a configuration without a single problem reaches
/// `apply`; otherwise the previous one stays and the problems are logged. Settings that cannot
/// change mid-run (endpoint, credentials, state store, ...) are reported as waiting for the next run.
public struct ConfigurationReloader: Sendable {
  public let loader: ConfigurationLoader
  public let provider: ReloadingFileProvider<ConfigFileSnapshot>
  public let logger: Logger

  public init(loader: ConfigurationLoader, provider: ReloadingFileProvider<ConfigFileSnapshot>, logger: Logger) {
    self.loader = loader
    self.provider = provider
    self.logger = logger
  }

  /// Runs until the calling task is cancelled. `apply` receives each accepted configuration and
  /// the reloadable keys whose value changed.
  public func run(
    from initial: ResolvedConfiguration,
    apply: @escaping @Sendable (ResolvedConfiguration, _ changed: [SettingKey]) async -> Void
  ) async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { try? await provider.run() }
      group.addTask {
        var current = initial
        try? await provider.watchSnapshot { updates in
          // The first element is the current snapshot: usually the one the run started with
          // (nothing changes), or an edit made while the run was starting.
          for await _ in updates {
            current = await self.accept(provider, after: current, apply: apply)
          }
        }
      }
      await group.next()
      group.cancelAll()
    }
  }

  private func accept(
    _ snapshotSource: any ConfigProvider, after current: ResolvedConfiguration,
    apply: @Sendable (ResolvedConfiguration, [SettingKey]) async -> Void
  ) async -> ResolvedConfiguration {
    let next: ResolvedConfiguration
    do {
      next = try loader.resolve(snapshotSource)
    } catch {
      logger.warning(
        "config file edit refused, the previous configuration stays",
        metadata: [
          "config.file": "\(loader.file?.path ?? "?")", "config.problems": "\(error.problems.map(\.description))",
        ])
      return current
    }
    // Values, not positions: moving a line is no change.
    let changed = ConfigCatalog.keys.filter { current[$0.key] != next[$0.key] }
    let reloadable = changed.filter(\.isReloadable).map(\.key)
    let later = changed.filter { !$0.isReloadable }.map(\.key)
    if !later.isEmpty {
      logger.notice(
        "config file changed settings that take effect on the next run", metadata: ["config.keys": "\(later)"])
    }
    guard !reloadable.isEmpty else { return next }
    await apply(next, reloadable)
    let summary = reloadable.map { key in
      "\(key): \(current.displayValue(key) ?? "default") → \(next.displayValue(key) ?? "default")"
    }
    logger.notice("configuration reloaded", metadata: ["config.changes": "\(summary.joined(separator: ", "))"])
    return next
  }
}
