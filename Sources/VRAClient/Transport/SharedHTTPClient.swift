import AsyncHTTPClient
import NIOCore

/// The process's one `HTTPClient`, with connection pooling, set up for vRA:
/// no redirects, no automatic connect retries (the `RetryPolicy` decides, and a refused
/// connection must surface at once to prove a create was not applied), and no tracer of
/// its own (the client injects `traceparent` with its configured tracer).
///
/// It lives as long as the process, like `HTTPClient.shared`, so it is never shut down;
/// pass your own `HTTPClient` to `VRAClient` to control its lifetime.
public enum SharedHTTPClient {
  public static let instance = HTTPClient(
    eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: makeConfiguration())

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
