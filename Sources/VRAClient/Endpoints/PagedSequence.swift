import VRAModels

/// Every item of a vRA list, page after page, as an `AsyncSequence`.
///
/// Pages are fetched lazily with `$top`/`$skip` as the consumer iterates; stopping the
/// iteration stops the fetching. Each page is one call with the client's retries.
public struct PagedSequence<Element: Codable & Sendable>: AsyncSequence, Sendable {
  public typealias Failure = any Error
  let pageSize: Int
  let fetch: @Sendable (_ skip: Int, _ top: Int) async throws -> Page<Element>

  public func makeAsyncIterator() -> Iterator { Iterator(sequence: self) }

  public struct Iterator: AsyncIteratorProtocol {
    let sequence: PagedSequence
    var buffer: [Element] = []
    var index = 0
    var skip = 0
    var finished = false

    init(sequence: PagedSequence) { self.sequence = sequence }

    public mutating func next() async throws -> Element? {
      while index >= buffer.count {
        guard !finished else { return nil }
        let page = try await sequence.fetch(skip, sequence.pageSize)
        buffer = page.content
        index = 0
        skip += page.content.count
        finished = page.isLastPage || page.content.isEmpty
      }
      defer { index += 1 }
      return buffer[index]
    }
  }

  /// All items, collected (for small lists).
  public func collect() async throws -> [Element] {
    var items: [Element] = []
    for try await item in self { items.append(item) }
    return items
  }
}
