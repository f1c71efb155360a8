/// One tenant of the server: who may act as it (API token hashes, an OIDC issuer), which vRA it
/// deploys to with which credentials, where it may deploy, and how many runs it may have.
public struct TenantConfiguration: Sendable, Hashable {
  /// `[a-z0-9][a-z0-9-]*`, unique in the file; runs, logs and metrics carry it.
  public var name: String
  /// `sha256:<64 lowercase hex>` lines: the server never stores a token itself.
  public var tokenHashes: [String]
  /// nil: the tenant deploys to the server's embedded simulator (for trying it out).
  public var vra: TenantEndpoint?
  /// Project names (compared case-insensitively) or ids the tenant may deploy to; nil allows any.
  public var projects: [String]?
  /// Regions the tenant may deploy to; nil allows any.
  public var regions: [String]?
  public var maxConcurrentRuns: Int
  /// Runs waiting for a slot beyond which a submission answers 429.
  public var maxQueuedRuns: Int
  public var oidc: OIDCSettings?
  /// Vault paths (`secret/team-a`, or a prefix ending in `/`) the tenant's plans may read with
  /// `vault:` references; nil: none. `env:` and `file:` references are never accepted from a tenant.
  public var secretPaths: [String]?

  public static let defaultMaxConcurrentRuns = 5
  public static let defaultMaxQueuedRuns = 20

  public init(
    name: String, tokenHashes: [String] = [], vra: TenantEndpoint? = nil, projects: [String]? = nil,
    regions: [String]? = nil, maxConcurrentRuns: Int = defaultMaxConcurrentRuns,
    maxQueuedRuns: Int = defaultMaxQueuedRuns, oidc: OIDCSettings? = nil, secretPaths: [String]? = nil
  ) {
    self.name = name
    self.tokenHashes = tokenHashes
    self.vra = vra
    self.projects = projects
    self.regions = regions
    self.maxConcurrentRuns = maxConcurrentRuns
    self.maxQueuedRuns = maxQueuedRuns
    self.oidc = oidc
    self.secretPaths = secretPaths
  }

  /// Whether the tenant may deploy to the project named or identified `nameOrId`. Names compare
  /// case-insensitively, as vRA's project names do; an id is compared as written.
  public func allowsProject(_ nameOrId: String) -> Bool {
    guard let projects else { return true }
    return projects.contains { $0 == nameOrId || $0.lowercased() == nameOrId.lowercased() }
  }

  /// Whether the tenant may deploy to `region` (compared case-insensitively).
  public func allowsRegion(_ region: String) -> Bool {
    guard let regions else { return true }
    return regions.contains { $0.lowercased() == region.lowercased() }
  }

  /// The pattern tenant names follow: safe in URLs, metric labels and file names.
  package static func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, isLowerAlphanumeric(first) else { return false }
    return name.unicodeScalars.allSatisfy { isLowerAlphanumeric($0) || $0 == "-" }
  }

  private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
  }
}
