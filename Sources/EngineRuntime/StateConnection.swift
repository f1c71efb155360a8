import RunState

/// The state database a command uses and what it takes to open it: for PostgreSQL, the password
/// `state.password` resolved to (never printed: `description` is the URL without it).
public struct StateConnection: Sendable, CustomStringConvertible {
  public var database: StateDatabase
  public var password: String?

  public init(database: StateDatabase, password: String?) {
    self.database = database
    self.password = password
  }

  /// A SQLite file.
  public static func sqlite(_ path: String) -> StateConnection {
    StateConnection(database: .sqlite(path: path), password: nil)
  }

  public var description: String { database.description }
}
