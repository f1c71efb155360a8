/// `GET /deployment/api/deployments/filters` (`FilterSchema`): the facets a deployment list can be
/// narrowed by, as vRA's UI shows them.
public struct FilterSchema: Codable, Sendable {
  public var filters: [Filter]?

  public init(filters: [Filter]?) { self.filters = filters }
}

/// One facet of a `FilterSchema` (`Filter`).
public struct Filter: Codable, Sendable {
  public var id: String?
  public var name: String?
  public var type: FilterType?

  public init(id: String?, name: String?, type: FilterType?) {
    self.id = id
    self.name = name
    self.type = type
  }
}

/// `Filter.type`.
public struct FilterType: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let multiselect = FilterType(rawValue: "MULTISELECT")
  public static let dateRange = FilterType(rawValue: "DATE_RANGE")
  public static let boolean = FilterType(rawValue: "BOOLEAN")
  public static let documented: [FilterType] = [.multiselect, .dateRange, .boolean]
}

/// One value of a facet with how many deployments have it (`FilterEntry`, listed in a
/// `PageOfFilterEntry` by `GET /deployment/api/deployments/filters/{filterId}`).
public struct FilterEntry: Codable, Sendable, Hashable {
  public var id: String?
  public var name: String?
  public var count: Int?

  public init(id: String?, name: String?, count: Int?) {
    self.id = id
    self.name = name
    self.count = count
  }
}
