import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// One pooled PostgreSQL connection as the store's statements see it: SQLKit's database on the
/// connection, except that a statement ends, with `StoreConnectionLost`, when the connection
/// closes, whether or not the driver ever answers it.
///
/// Why the driver alone is not enough: postgres-nio hands a query to the connection's channel
/// without a write promise. Once the server has ended the session and NIO has taken the closed
/// channel's handlers down, a query sent there is dropped and its answer never comes. A write
/// waiting on it waited forever: a replica stopped inside a transaction, whose session the server
/// ended meanwhile, hung its runs when it woke, and its graceful shutdown with them. So a statement
/// is not sent on a closed connection, and one in flight is watched until it is answered.
struct WatchedPostgresDatabase: SQLDatabase {
  let connection: PostgresConnection
  private let base: any SQLDatabase

  /// How often a statement in flight looks whether its connection closed.
  static let closeCheckInterval = TimeAmount.milliseconds(100)

  init(_ connection: PostgresConnection) {
    self.connection = connection
    base = connection.sql(queryLogLevel: nil)
  }

  var logger: Logger { base.logger }
  var eventLoop: any EventLoop { base.eventLoop }
  var version: (any SQLDatabaseReportedVersion)? { base.version }
  var dialect: any SQLDialect { base.dialect }
  var queryLogLevel: Logger.Level? { base.queryLogLevel }

  func execute(
    sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void
  ) -> EventLoopFuture<Void> {
    let connection = self.connection
    let eventLoop = connection.eventLoop
    guard !connection.isClosed else {
      return eventLoop.makeFailedFuture(
        StoreConnectionLost(sent: false, sqlState: nil, detail: "the connection was closed"))
    }
    let answer = StatementAnswer(eventLoop.makePromise(of: Void.self))
    let watch = eventLoop.scheduleRepeatedTask(
      initialDelay: Self.closeCheckInterval, delay: Self.closeCheckInterval
    ) { task in
      guard connection.isClosed else { return }
      task.cancel()
      // The driver fails every statement it was given as the connection closes, before the closed
      // connection can be seen from here: one it never answered never reached it.
      answer.finish(
        .failure(
          StoreConnectionLost(sent: false, sqlState: nil, detail: "the connection closed before the statement went out")
        ))
    }
    base.execute(sql: query, onRow).whenComplete { result in
      watch.cancel()
      answer.finish(result.mapError(Self.classified))
    }
    return answer.future
  }

  func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
    try await execute(sql: query, onRow).get()
  }

  /// The driver's error as the store handles it: the session's end as `StoreConnectionLost`, any
  /// other server error as a `PostgresFailure` (its SQLSTATE kept).
  static func classified(_ error: any Error) -> any Error {
    if let error = error as? PSQLError {
      if endsTheSession(error) {
        // A statement given to a connection that was closing fails with the reason the server gave.
        let reason = error.serverInfo ?? (error.underlying as? PSQLError)?.serverInfo
        return StoreConnectionLost(
          sent: true, sqlState: reason?[.sqlState], detail: PostgresStateBackend.describe(error))
      }
      return PostgresFailure(error)
    }
    if error is ChannelError || error is IOError {
      return StoreConnectionLost(sent: true, sqlState: nil, detail: String(describing: error))
    }
    return error
  }

  /// A closed or broken connection, or a server error that ends the session (FATAL, PANIC, or a
  /// connection exception: SQLSTATE class 08).
  private static func endsTheSession(_ error: PSQLError) -> Bool {
    switch error.code {
    case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
    case .server:
      let severity = error.serverInfo?[.severity]
      return severity == "FATAL" || severity == "PANIC" || error.serverInfo?[.sqlState]?.hasPrefix("08") == true
    default: return false
    }
  }
}

/// The answer of one statement, given once: by the driver, or by the watch when the connection
/// closed first (the driver's answer, if it ever comes, is then dropped).
private final class StatementAnswer: Sendable {
  private let promise: Mutex<EventLoopPromise<Void>?>
  let future: EventLoopFuture<Void>

  init(_ promise: EventLoopPromise<Void>) {
    self.promise = Mutex(promise)
    future = promise.futureResult
  }

  func finish(_ result: Result<Void, any Error>) {
    let pending = promise.withLock { promise in
      defer { promise = nil }
      return promise
    }
    pending?.completeWith(result)
  }
}
