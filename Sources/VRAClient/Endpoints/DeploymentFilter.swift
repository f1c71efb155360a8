import Foundation
import VRAModels

/// The filters of `GET /deployment/api/deployments`, typed.
public struct DeploymentFilter: Sendable {
  public var projects: [String] = []
  public var statuses: [DeploymentStatus] = []
  public var lastRequestStatuses: [RequestStatus] = []
  /// Deployments updated within `[from, to]` (either end may be open).
  public var lastUpdatedAt: (from: Date?, to: Date?)?
  /// Exact deployment name.
  public var name: String?
  public var search: String?
  public var expand: [DeploymentExpansion] = []
  public var includeDeleted = false
  /// `$orderby` terms, e.g. `["lastUpdatedAt asc"]` (the batched tracker pages in update order).
  public var orderBy: [String] = []

  public init(
    projects: [String] = [], statuses: [DeploymentStatus] = [], lastRequestStatuses: [RequestStatus] = [],
    lastUpdatedAt: (from: Date?, to: Date?)? = nil, name: String? = nil, search: String? = nil,
    expand: [DeploymentExpansion] = []
  ) {
    self.projects = projects
    self.statuses = statuses
    self.lastRequestStatuses = lastRequestStatuses
    self.lastUpdatedAt = lastUpdatedAt
    self.name = name
    self.search = search
    self.expand = expand
  }

  var query: [(String, String?)] {
    var query = Query.list("projects", projects)
    query += Query.list("status", statuses.map(\.rawValue))
    query += Query.list("lastRequestStatus", lastRequestStatuses.map(\.rawValue))
    if let range = lastUpdatedAt {
      let from = range.from.map(VRAJSON.formatTimestamp) ?? ""
      let to = range.to.map(VRAJSON.formatTimestamp) ?? ""
      query.append(("lastUpdatedAt", "[\(from),\(to)]"))
    }
    query += Query.optional("name", name)
    query += Query.optional("search", search)
    query += Query.list("expand", expand.map(\.rawValue))
    if includeDeleted { query.append(("deleted", "true")) }
    query += Query.list("$orderby", orderBy)
    return query
  }
}

/// What `expand` can add to a deployment.
public struct DeploymentExpansion: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let blueprint: Self = "blueprint"
  public static let catalog: Self = "catalog"
  public static let lastRequest: Self = "lastRequest"
  public static let project: Self = "project"
  public static let resources: Self = "resources"
  public static let metering: Self = "metering"
  public static let user: Self = "user"
  public static let documented: [Self] = [.blueprint, .catalog, .lastRequest, .project, .resources, .metering, .user]
}
