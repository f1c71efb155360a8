import Foundation

/// One answer the simulator sent, as an opt-in observer sees it (tests check each body against the
/// vRA specs). Seen before it is written to the connection, so a client that has its answer knows the
/// observer has it too.
public struct ObservedResponse: Sendable {
  public var method: String
  /// The path without the query.
  public var path: String
  public var query: String
  public var status: Int
  public var body: Data

  public init(method: String, path: String, query: String, status: Int, body: Data) {
    self.method = method
    self.path = path
    self.query = query
    self.status = status
    self.body = body
  }
}

/// Called once for every answer, errors included; installed with `SimulatorServer.start(...responseObserver:)`.
public typealias ResponseObserver = @Sendable (ObservedResponse) async -> Void
