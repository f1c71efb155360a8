import Logging
import Synchronization

/// The process's log level and format, changed by the configuration after logging is
/// bootstrapped (and by a hot reload while `apply` runs). One lock-protected value read per line:
/// swift-log handlers are values copied into every `Logger`, so they cannot be updated in place.
public final class LogControl: Sendable {
  public enum Format: String, Sendable, CaseIterable {
    case text, json
  }

  public static let shared = LogControl()

  private let state = Mutex<(level: Logger.Level, format: Format)>((.warning, .text))

  public var level: Logger.Level {
    get { state.withLock { $0.level } }
    set { state.withLock { $0.level = newValue } }
  }

  public var format: Format {
    get { state.withLock { $0.format } }
    set { state.withLock { $0.format = newValue } }
  }
}
