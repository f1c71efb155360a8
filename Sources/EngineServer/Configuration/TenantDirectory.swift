import Synchronization

/// The server's tenants as configured right now: read by every request (authentication, quotas,
/// allow-lists), replaced whole by `ServeConfigurationWatcher` when serve.yaml changes, so a
/// request sees one configuration from start to end, never half of an edit.
public final class TenantDirectory: Sendable {
  private struct State {
    var configuration: ServeConfiguration
    var generation: Int
  }

  private let state: Mutex<State>

  public init(_ configuration: ServeConfiguration) {
    state = Mutex(State(configuration: configuration, generation: 0))
  }

  /// The configuration in effect.
  public var current: ServeConfiguration { state.withLock { $0.configuration } }

  /// Counts replacements: 0 for the configuration the server started with. Parts that derive
  /// something from the configuration (the authenticator's token index) rebuild when it moves.
  public var generation: Int { state.withLock { $0.generation } }

  public func tenant(named name: String) -> TenantConfiguration? {
    state.withLock { $0.configuration.tenant(named: name) }
  }

  /// The configuration and its generation, read together.
  public func snapshot() -> (configuration: ServeConfiguration, generation: Int) {
    state.withLock { ($0.configuration, $0.generation) }
  }

  /// Puts `configuration` in effect; returns the new generation.
  @discardableResult
  public func replace(with configuration: ServeConfiguration) -> Int {
    state.withLock { state in
      state.configuration = configuration
      state.generation += 1
      return state.generation
    }
  }
}
