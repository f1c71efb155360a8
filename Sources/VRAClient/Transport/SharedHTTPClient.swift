import AsyncHTTPClient
import NIOCore

/// The process's one `HTTPClient`, with connection pooling, set up for vRA:
/// no redirects, no automatic connect retries (the `RetryPolicy` decides, and a refused
/// connection must surface at once to prove a create was not applied), and no tracer of
/// its own (the client injects `traceparent` with its configured tracer).
///
/// It is made on first use and lives until `shutdown()`. A process that used it calls
/// `await SharedHTTPClient.shutdown()` once, on its way out (the CLI does so when a command
/// ends, whatever its exit code), so that pooled connections close cleanly. A client you
/// pass to `VRAClient` yourself stays yours to shut down.
public enum SharedHTTPClient {
  static let lifetime = HTTPClientLifetime {
    HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: makeConfiguration())
  }

  /// The shared client. After `shutdown()` it is the shut-down client: every call made
  /// with it fails at once as a transport error saying so (it is never re-made, so a late
  /// call cannot leak a new connection pool past the shutdown).
  public static var instance: HTTPClient { lifetime.client }

  /// Closes the shared client's connections and stops it. Idempotent and safe to call
  /// concurrently: every caller returns once the one shutdown has finished; when the client
  /// was never used there is nothing to do. Never throws: it is for exit paths.
  public static func shutdown() async { await lifetime.shutdown() }

  /// The configuration `instance` uses, for callers that make their own client.
  public static func makeConfiguration() -> HTTPClient.Configuration {
    var configuration = HTTPClient.Configuration()
    configuration.redirectConfiguration = .disallow
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
    configuration.tracing.tracer = nil
    configuration.decompression = .disabled
    return configuration
  }
}
