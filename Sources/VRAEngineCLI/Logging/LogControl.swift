import Logging
import Synchronization

/// The process's log level and format, changed by the configuration after logging is
/// bootstrapped (and by a hot reload while `apply` runs). One lock-protected value read per line:
/// swift-log handlers are values copied into every `Logger`, so they cannot be updated in place.
final class LogControl: Sendable {
  enum Format: String, Sendable, CaseIterable {
    case text, json
  }

  /// The level and format in effect here: the process's, or a test's (`CommandContext`).
  static var shared: LogControl { CommandContext.current.log }
  static let processWide = LogControl()

  private let state = Mutex<(level: Logger.Level, format: Format)>((.warning, .text))

  var level: Logger.Level {
    get { state.withLock { $0.level } }
    set { state.withLock { $0.level = newValue } }
  }

  var format: Format {
    get { state.withLock { $0.format } }
    set { state.withLock { $0.format = newValue } }
  }
}
