/// A statement of the store failed because its database session ended under it: the server
/// ended the session (`idle_in_transaction_session_timeout` after the process was stopped in a
/// transaction, `pg_terminate_backend`, a restart) or the connection broke.
///
/// Whatever the session held ends with it: a transaction it had open was rolled back by the
/// server, and its row locks are gone. So a write that lost its session before its COMMIT can be
/// made again on another connection (its fence check then tells whether the run is still this
/// process's); one that lost it during its COMMIT may have been committed, unless the server says
/// it ended the session for idling in the transaction, which it does only before a COMMIT arrives.
struct StoreConnectionLost: Error, CustomStringConvertible {
  /// Whether the statement may have reached the server (false: the connection was closed before).
  var sent: Bool
  /// The server's SQLSTATE for ending the session, when it said one.
  var sqlState: String?
  /// What the driver or the server said.
  var detail: String
  /// The statement that failed was the transaction's COMMIT.
  var duringCommit = false

  /// 25P03: the server ended a session left idle inside a transaction (a COMMIT never came).
  static let idleInTransactionTimeout = "25P03"

  /// True when the write's transaction cannot have been committed.
  var leftNothingCommitted: Bool {
    !duringCommit || !sent || sqlState == Self.idleInTransactionTimeout
  }

  var description: String {
    let outcome =
      leftNothingCommitted ? "nothing was written" : "whether the write was committed before is unknown"
    return "the connection to the database was lost (\(detail)); \(outcome)"
  }
}
