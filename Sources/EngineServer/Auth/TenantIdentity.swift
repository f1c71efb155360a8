/// Who is asking, as the auth middleware established it: the tenant, and how it proved it.
public struct TenantIdentity: Sendable, Hashable {
  public enum Method: String, Sendable, Hashable {
    /// A static API token (`vra-engine serve token create`), matched by its SHA-256.
    case apiToken = "api-token"
    /// A JWT from the tenant's OIDC issuer.
    case oidc
  }

  /// The tenant's name as configured (`tenants[].name`).
  public var tenant: String
  public var method: Method
  /// Who within the tenant: the token's hash prefix, or the JWT's `sub`. For logs, never a secret.
  public var principal: String

  public init(tenant: String, method: Method, principal: String) {
    self.tenant = tenant
    self.method = method
    self.principal = principal
  }
}
