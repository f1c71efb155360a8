import AsyncHTTPClient

/// The HTTP client Vault calls use unless one is passed in: made on first use and kept for the
/// process's life, like AsyncHTTPClient's own `HTTPClient.shared` (never shut down, so no exit path
/// has to remember it). Its own rather than `HTTPClient.shared` because a refused connection must
/// fail at once (no connect retries: an unreachable Vault is reported, not waited out) and a
/// redirect must not carry the Vault token to another host.
public enum VaultHTTPClient {
  public static let shared = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)

  private static var configuration: HTTPClient.Configuration {
    var configuration = HTTPClient.Configuration()
    configuration.redirectConfiguration = .disallow
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
    configuration.decompression = .disabled
    return configuration
  }
}
