// TEMPORARY stand-in for serve-auth's TenantAuthMiddleware.
import Crypto
// TEMPORARY: stand-ins for the tenant configuration being built on branch serve-auth; removed at its merge.
import Foundation
import Hummingbird
import Synchronization

public struct ServeConfiguration: Sendable, Equatable {
  public struct Listen: Sendable, Equatable {
    public var host: String
    public var port: Int
  }
  public struct Limits: Sendable, Equatable {
    public var maxBodyBytes = 8 * 1024 * 1024
    public var maxFiles = 200
    public var maxFileBytes = 1024 * 1024
  }
  public struct TLS: Sendable, Equatable {
    public var certificate: String
    public var privateKey: String
    public var clientCA: String?
  }
  public var listen: Listen
  public var statePath: String
  public var tls: TLS?
  public var limits: Limits
  public var tenants: [TenantConfiguration]
  public func tenant(named name: String) -> TenantConfiguration? { tenants.first { $0.name == name } }
}

public struct TenantEndpoint: Sendable, Equatable {
  public var url: String
  public var username: String?
  public var password: String?
  public var domain: String?
  public var refreshToken: String?
  public var org: String?
  public var caFile: String?
  public var insecureSkipVerify: Bool
}

public struct TenantConfiguration: Sendable, Equatable {
  public var name: String
  public var tokenHashes: [String]
  public var vra: TenantEndpoint?
  public var projects: [String]?
  public var regions: [String]?
  public var maxConcurrentRuns: Int
  public var maxQueuedRuns: Int
  public var secretPaths: [String]?
  public func allowsProject(_ nameOrId: String) -> Bool {
    guard let projects else { return true }
    return projects.contains { $0.lowercased() == nameOrId.lowercased() }
  }
  public func allowsRegion(_ region: String) -> Bool {
    guard let regions else { return true }
    return regions.contains { $0.lowercased() == region.lowercased() }
  }
}

public final class TenantDirectory: Sendable {
  private let state: Mutex<ServeConfiguration>
  public init(_ configuration: ServeConfiguration) { state = Mutex(configuration) }
  public var current: ServeConfiguration { state.withLock { $0 } }
  public func tenant(named name: String) -> TenantConfiguration? { current.tenant(named: name) }
}

struct PendingAuthMiddleware: RouterMiddleware {
  typealias Context = ServerRequestContext
  let tenants: TenantDirectory
  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
      throw Problem(.unauthenticated, detail: "no bearer token")
    }
    let hash = SHA256.hash(data: Data(header.dropFirst(7).utf8)).map { String(format: "%02x", $0) }.joined()
    guard let tenant = tenants.current.tenants.first(where: { $0.tokenHashes.contains(hash) }) else {
      throw Problem(.unauthenticated, detail: "unknown token")
    }
    var context = context
    context.identity = TenantIdentity(tenant: tenant.name, method: .apiToken, principal: "token:" + hash.prefix(8))
    return try await next(request, context)
  }
}
