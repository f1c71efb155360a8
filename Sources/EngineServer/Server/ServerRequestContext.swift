import Hummingbird
import NIOCore

/// The context of one API request: Hummingbird's core storage, the peer's address (for
/// authentication throttling) and, once `TenantAuthMiddleware` let it through, who is asking.
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
  public var coreContext: CoreRequestContextStorage
  public let remoteAddress: SocketAddress?
  /// Set by the auth middleware; every `/api/v1` handler runs with it set.
  public var identity: TenantIdentity?
  /// The largest request body accepted (the server's `limits.maxBodyBytes`).
  public var maxUploadSize: Int { 8 * 1024 * 1024 }

  public init(source: ApplicationRequestContextSource) {
    self.coreContext = .init(source: source)
    self.remoteAddress = source.channel.remoteAddress
    self.identity = nil
  }

  /// The authenticated tenant; only called behind the auth middleware.
  public func requireIdentity() throws -> TenantIdentity {
    guard let identity else { throw Problem(.unauthenticated, detail: "no credentials were presented") }
    return identity
  }
}
