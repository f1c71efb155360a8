import Hummingbird
import VRAModels

/// `$top` / `$skip` as vRA reads them: default page size 20, at most 1000.
struct Paging {
  var top: Int
  var skip: Int

  static let defaultSize = 20
  static let maximumSize = 1000

  init(_ request: Request) throws {
    top = min(try request.queryInt("$top") ?? Self.defaultSize, Self.maximumSize)
    skip = try request.queryInt("$skip") ?? 0
  }

  func page<T: Codable & Sendable>(_ all: [T], sorted: Bool = true) -> Page<T> {
    Page(slicing: all, skip: skip, top: top, sorted: sorted)
  }
}
