/// The paging envelope every vRA list returns (`PageOfDeployment`, `PageOfBlueprint`, ...).
public struct Page<Element: Codable & Sendable>: Codable, Sendable {
  public var content: [Element]
  public var totalElements: Int?
  public var numberOfElements: Int?
  public var totalPages: Int?
  public var size: Int?
  public var number: Int?
  public var first: Bool?
  public var last: Bool?
  public var empty: Bool?
  public var sort: Sort?

  public init(
    content: [Element], totalElements: Int? = nil, numberOfElements: Int? = nil, totalPages: Int? = nil,
    size: Int? = nil, number: Int? = nil, first: Bool? = nil, last: Bool? = nil, empty: Bool? = nil,
    sort: Sort? = nil
  ) {
    self.content = content
    self.totalElements = totalElements
    self.numberOfElements = numberOfElements
    self.totalPages = totalPages
    self.size = size
    self.number = number
    self.first = first
    self.last = last
    self.empty = empty
    self.sort = sort
  }

  /// Builds the page `number` of `size` items out of the whole, already ordered, result.
  public init(slicing all: [Element], skip: Int, top: Int, sorted: Bool) {
    let size = max(top, 1)
    let start = min(max(skip, 0), all.count)
    let end = min(start + max(top, 0), all.count)
    let slice = Array(all[start..<end])
    let totalPages = (all.count + size - 1) / size
    let number = start / size
    self.init(
      content: slice, totalElements: all.count, numberOfElements: slice.count, totalPages: totalPages,
      size: size, number: number, first: number == 0, last: end >= all.count, empty: slice.isEmpty,
      sort: Sort(empty: !sorted, sorted: sorted, unsorted: !sorted))
  }

  /// True when no later page can hold more items.
  public var isLastPage: Bool {
    if let last { return last }
    if let totalElements, let number, let size { return (number + 1) * size >= totalElements }
    return content.isEmpty
  }
}

/// Sort information of a page.
public struct Sort: Codable, Sendable, Hashable {
  public var empty: Bool?
  public var sorted: Bool?
  public var unsorted: Bool?

  public init(empty: Bool? = nil, sorted: Bool? = nil, unsorted: Bool? = nil) {
    self.empty = empty
    self.sorted = sorted
    self.unsorted = unsorted
  }
}
