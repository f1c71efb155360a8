import Foundation
import VRAModels

/// The filters of `GET /deployment/api/deployments`, parsed and checked.
struct DeploymentQuery {
  var projects: Set<String> = []
  var statuses: Set<String> = []
  var lastRequestStatuses: Set<String> = []
  var name: String?
  var search: String?
  var updatedFrom: Date?
  var updatedTo: Date?
  var includeDeleted = false
  var orderBy: [(field: String, descending: Bool)] = []

  /// `[from,to]` with either side optional, ISO 8601 timestamps, inclusive.
  static func parseRange(_ text: String) throws -> (Date?, Date?) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else {
      throw APIError.badRequest("lastUpdatedAt must look like [from,to], got '\(text)'")
    }
    let parts = trimmed.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count == 2 else { throw APIError.badRequest("lastUpdatedAt must have two bounds: [from,to]") }
    func date(_ part: Substring) throws -> Date? {
      let value = part.trimmingCharacters(in: .whitespaces)
      if value.isEmpty { return nil }
      guard let date = VRAJSON.parseTimestamp(value) else {
        throw APIError.badRequest("lastUpdatedAt bound '\(value)' is not an ISO 8601 timestamp")
      }
      return date
    }
    return (try date(parts[0]), try date(parts[1]))
  }

  static func parseOrder(_ items: [String]) throws -> [(field: String, descending: Bool)] {
    let allowed = ["name", "createdAt", "lastUpdatedAt", "status", "id"]
    return try items.map { item in
      let words = item.split(separator: " ").map(String.init)
      guard let field = words.first, allowed.contains(field) else {
        throw APIError.badRequest("cannot order by '\(item)'; use one of \(allowed.joined(separator: ", "))")
      }
      let direction = words.count > 1 ? words[1].uppercased() : "ASC"
      guard direction == "ASC" || direction == "DESC" else {
        throw APIError.badRequest("order direction must be ASC or DESC, got '\(words[1])'")
      }
      return (field, direction == "DESC")
    }
  }
}

extension SimulatorState {
  func listDeployments(org: String, query: DeploymentQuery) -> [DeploymentRecord] {
    let needle = query.search?.lowercased()
    var result = deployments.values.filter { deployment in
      guard deployment.orgId == org, query.includeDeleted || !deployment.deleted else { return false }
      if !query.projects.isEmpty, !query.projects.contains(deployment.projectId) { return false }
      if !query.statuses.isEmpty, !query.statuses.contains(deployment.status.rawValue) { return false }
      if !query.lastRequestStatuses.isEmpty {
        guard let last = deployment.requestIds.last.flatMap({ requests[$0] }),
          query.lastRequestStatuses.contains(last.status.rawValue)
        else { return false }
      }
      if let name = query.name, deployment.name != name { return false }
      if let needle, !deployment.name.lowercased().contains(needle),
        !(deployment.description?.lowercased().contains(needle) ?? false)
      {
        return false
      }
      // Compare at the millisecond precision answers carry, so a bound copied from an answer matches it.
      let updated = (deployment.lastUpdatedAt.timeIntervalSince1970 * 1000).rounded()
      if let from = query.updatedFrom, updated < (from.timeIntervalSince1970 * 1000).rounded() { return false }
      if let to = query.updatedTo, updated > (to.timeIntervalSince1970 * 1000).rounded() { return false }
      return true
    }
    let order = query.orderBy.isEmpty ? [(field: "createdAt", descending: true)] : query.orderBy
    result.sort { a, b in
      for (field, descending) in order {
        let comparison: ComparisonResult
        switch field {
        case "name": comparison = a.name.compare(b.name)
        case "lastUpdatedAt": comparison = a.lastUpdatedAt.compare(b.lastUpdatedAt)
        case "status": comparison = a.status.rawValue.compare(b.status.rawValue)
        case "id": comparison = a.id.compare(b.id)
        default: comparison = a.createdAt.compare(b.createdAt)
        }
        if comparison != .orderedSame {
          return descending ? comparison == .orderedDescending : comparison == .orderedAscending
        }
      }
      return a.id < b.id
    }
    return result
  }
}
