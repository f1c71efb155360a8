/// Every configured token hash with its tenant, for matching a presented API token.
///
/// A presented token is hashed once and compared with every configured digest, in constant time
/// and without stopping at a match, so the time a request takes does not depend on which tenant's
/// token it was or how close a guess came.
struct APITokenIndex: Sendable {
  private struct Entry: Sendable {
    var tenant: String
    var digest: [UInt8]
    /// `token:` + the first 8 hex digits of the hash: which token, in logs, without the token.
    var principal: String
  }

  private let entries: [Entry]

  init(tenants: [TenantConfiguration]) {
    entries = tenants.flatMap { tenant in
      tenant.tokenHashes.compactMap { line in
        APIToken.digest(ofHashLine: line).map { digest in
          Entry(tenant: tenant.name, digest: digest, principal: "token:" + APIToken.hex(digest.prefix(4)))
        }
      }
    }
  }

  var count: Int { entries.count }

  func identity(for token: String) -> TenantIdentity? {
    let presented = APIToken.digest(of: token)
    var found: Entry?
    for entry in entries {
      let equal = ConstantTime.equals(entry.digest, presented)
      if equal && found == nil { found = entry }
    }
    return found.map { TenantIdentity(tenant: $0.tenant, method: .apiToken, principal: $0.principal) }
  }
}
