import Foundation
import Logging
import Synchronization

/// The process's log level and format, changed by the configuration after logging is
/// bootstrapped (and by a hot reload while `apply` runs). One lock-protected value read per line:
/// swift-log handlers are values copied into every `Logger`, so they cannot be updated in place.
/// Also where the lines go: stderr, or (in-process CLI tests) a capture.
public final class LogControl: Sendable {
  public enum Format: String, Sendable, CaseIterable {
    case text, json
  }

  /// The one in effect for the current task: a test's own, bound with `$scoped` around the
  /// command it runs in-process (so commands side by side keep their own level, format and
  /// output), else the process's.
  public static var shared: LogControl { scoped ?? processWide }
  public static let processWide = LogControl()
  @TaskLocal public static var scoped: LogControl?

  private let state = Mutex<(level: Logger.Level, format: Format)>((.warning, .text))
  /// Writes one finished line (newline included).
  public let write: @Sendable (String) -> Void

  public init(write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
    self.write = write
  }

  public var level: Logger.Level {
    get { state.withLock { $0.level } }
    set { state.withLock { $0.level = newValue } }
  }

  public var format: Format {
    get { state.withLock { $0.format } }
    set { state.withLock { $0.format = newValue } }
  }
}
