import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// A Hummingbird application served beside other work in this process: bound before the caller
/// goes on (port 0 takes any free port; the one bound is reported) and shut down gracefully.
/// `serving` scopes it to a body (the `/metrics` endpoint); `start` / `stop` hand out a running
/// server (the simulator, test servers).
public final class BackgroundServer: Sendable {
  /// The port listened on.
  public let port: Int
  private let group: ServiceGroup
  private let task: Task<Void, any Error>

  /// The application ended before it listened; `cause` is its error (an address in use, ...), nil
  /// when it ended without one.
  public struct NotListening: Error {
    public let cause: (any Error)?
  }

  private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
    self.port = port
    self.group = group
    self.task = task
  }

  /// Binds `host:port` and serves `router` until `stop()`.
  ///
  /// - Throws: `NotListening` when the application ended before it listened.
  public static func start<Router: HTTPResponderBuilder>(
    router: Router, server: HTTPServerBuilder = .http1(), host: String, port: Int, serverName: String? = nil,
    logger: Logger
  ) async throws -> BackgroundServer
  where Router.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    let served = Served(router: router, server: server, host: host, port: port, serverName: serverName, logger: logger)
    let task = Task { try await served.run() }
    guard let bound = await served.bound() else {
      do {
        try await task.value
      } catch {
        throw NotListening(cause: error)
      }
      throw NotListening(cause: nil)
    }
    return BackgroundServer(port: bound, group: served.group, task: task)
  }

  /// Serves `router` on `host:port` while `body` runs (a child task, so nothing outlives the call),
  /// and stops it gracefully when `body` returns or throws. `body` gets the bound port.
  ///
  /// - Throws: `NotListening` when the application ended before it listened; what `body` throws.
  public static func serving<Router: HTTPResponderBuilder, Result>(
    router: Router, server: HTTPServerBuilder = .http1(), host: String, port: Int, serverName: String? = nil,
    logger: Logger, _ body: (_ port: Int) async throws -> Result
  ) async throws -> Result
  where Router.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    let served = Served(router: router, server: server, host: host, port: port, serverName: serverName, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { tasks in
      tasks.addTask { try await served.run() }
      guard let bound = await served.bound() else {
        do {
          try await tasks.next()
        } catch {
          throw NotListening(cause: error)
        }
        throw NotListening(cause: nil)
      }
      do {
        let result = try await body(bound)
        await served.group.triggerGracefulShutdown()
        try? await tasks.waitForAll()
        return result
      } catch {
        await served.group.triggerGracefulShutdown()
        try? await tasks.waitForAll()
        throw error
      }
    }
  }

  /// Stops serving and waits until the application has ended.
  public func stop() async {
    await group.triggerGracefulShutdown()
    _ = try? await task.value
  }

  /// Waits until the application ends (a `stop()`, or a failure, which is thrown).
  public func waitUntilStopped() async throws {
    try await task.value
  }
}

/// The application in a service group (so that a stop is graceful: cancelling the task that runs
/// it instead makes Hummingbird log shutdown errors on every stop), and the port it bound.
private struct Served: Sendable {
  let group: ServiceGroup
  private let ports: AsyncStream<Int>
  private let continuation: AsyncStream<Int>.Continuation

  init<Router: HTTPResponderBuilder>(
    router: Router, server: HTTPServerBuilder, host: String, port: Int, serverName: String?, logger: Logger
  ) where Router.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
      router: router, server: server,
      configuration: .init(address: .hostname(host, port: port), serverName: serverName),
      onServerRunning: { channel in
        continuation.yield(channel.localAddress?.port ?? port)
        continuation.finish()
      }, logger: logger)
    self.group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
    self.ports = ports
    self.continuation = continuation
  }

  /// Runs the application until it is shut down; the port stream ends with it.
  func run() async throws {
    defer { continuation.finish() }
    try await group.run()
  }

  /// The bound port once listening; nil when the application ended first.
  func bound() async -> Int? {
    var iterator = ports.makeAsyncIterator()
    return await iterator.next()
  }
}
