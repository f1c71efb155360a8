import Foundation

/// Which database a state store is on, as `state.url`, `--state` or `VRA_ENGINE_STATE_URL` name it:
/// a SQLite file (a path, `sqlite:PATH` or `sqlite://PATH`), or a PostgreSQL database
/// (`postgres://` or `postgresql://`), which several processes on several machines can share.
public enum StateDatabase: Sendable, Hashable, CustomStringConvertible {
  case sqlite(path: String)
  case postgres(PostgresStateLocation)

  /// Reads a `state.url` value; a PostgreSQL URL is checked whole (`StateURLError` names the part).
  public static func parse(_ text: String) throws(StateURLError) -> StateDatabase {
    if isPostgres(text) { return .postgres(try PostgresStateLocation.parse(text)) }
    var path = text
    for prefix in ["sqlite://", "sqlite:"] where path.hasPrefix(prefix) {
      path = String(path.dropFirst(prefix.count))
      break
    }
    guard !path.isEmpty else { throw StateURLError(url: text, part: "path", "the path after 'sqlite:' is empty") }
    return .sqlite(path: path)
  }

  /// True for `postgres://` and `postgresql://` URLs.
  public static func isPostgres(_ text: String) -> Bool {
    let lower = text.lowercased()
    return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
  }

  /// Where the data is, for messages: the file path, or the URL without its password.
  public var description: String {
    switch self {
    case .sqlite(let path): path
    case .postgres(let location): location.description
    }
  }
}

/// A `state.url` that cannot be used, naming the part that is wrong. Never carries the password.
public struct StateURLError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The URL with any password replaced.
  public var url: String
  /// `host`, `port`, `database`, `sslmode`, ...
  public var part: String
  public var problem: String

  init(url: String, part: String, _ problem: String) {
    self.url = PostgresStateLocation.redacting(url)
    self.part = part
    self.problem = problem
  }

  public var description: String { "state.url \(url): \(part): \(problem)" }
}
