import Foundation
import VRAClient
import VRAModels

/// The batched read of one project: `GET /deployment/api/deployments?projects=P&expand=lastRequest
/// &lastUpdatedAt=[from,]&$orderby=lastUpdatedAt asc&$top=1000`, page after page.
///
/// Pages are keyed on `lastUpdatedAt` rather than on `$skip` alone: the next page starts at the
/// last stamp of the previous one (inclusive), skipping only the items already read at exactly
/// that stamp. A deployment updated while the pages are read moves to a later stamp, which a
/// later page still covers, instead of shifting every offset and hiding another deployment.
struct ProjectListing: Sendable {
  let client: VRAClient
  let pageSize: Int
  /// A runaway guard: 1,000 pages of 1,000 deployments.
  static let maximumPages = 1000

  struct Answer: Sendable {
    var deployments: [Deployment] = []
    var calls = 0
  }

  /// A list that failed part-way; `calls` were made (and count) before it failed.
  struct Failure: Error {
    var calls: Int
    var underlying: any Error
  }

  /// Every deployment of `projectId` updated at or after `from` (all of them when nil), oldest update first.
  func fetch(projectId: String, from: Date?) async throws(Failure) -> Answer {
    var answer = Answer()
    var bound = from
    var skip = 0
    while answer.calls < Self.maximumPages {
      var filter = DeploymentFilter(
        projects: [projectId], lastUpdatedAt: bound.map { ($0, nil) }, expand: [.lastRequest])
      filter.orderBy = ["lastUpdatedAt asc"]
      let page: Page<Deployment>
      do {
        page = try await client.deploymentsPage(filter, skip: skip, top: pageSize)
      } catch {
        throw Failure(calls: answer.calls + 1, underlying: error)
      }
      answer.calls += 1
      answer.deployments += page.content
      guard page.content.count >= pageSize, !page.isLastPage, let last = page.content.last?.lastUpdatedAt else {
        break
      }
      let lastStamp = last.vraMilliseconds
      let atLast = page.content.reduce(into: 0) { count, item in
        if item.lastUpdatedAt?.vraMilliseconds == lastStamp { count += 1 }
      }
      if let bound, bound.vraMilliseconds == lastStamp {
        skip += page.content.count  // a whole page within one millisecond: page on with $skip
      } else {
        bound = last
        skip = atLast
      }
    }
    return answer
  }
}
