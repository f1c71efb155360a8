import Hummingbird
import VRAModels

/// `$top` / `$skip` as vRA reads them: default page size 20, at most 1000. Spring's `page` / `size`
/// (Project Service, catalog item versions) mean the same: `size` items from `page * size`.
struct Paging {
  var top: Int
  var skip: Int

  static let defaultSize = 20
  static let maximumSize = 1000

  init(_ request: Request) throws {
    let query = request.query
    top = min(try query.int("$top") ?? query.int("size") ?? Self.defaultSize, Self.maximumSize)
    skip = try query.int("$skip") ?? ((try query.int("page") ?? 0) * top)
  }

  func page<T: Codable & Sendable>(_ all: [T], sorted: Bool = true) -> Page<T> {
    Page(slicing: all, skip: skip, top: top, sorted: sorted)
  }
}
