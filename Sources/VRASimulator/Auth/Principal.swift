/// Who is calling: resolved from a valid access token by `AuthMiddleware`.
public struct CallerIdentity: Sendable, Hashable {
  public var user: String
  public var orgId: String
}
