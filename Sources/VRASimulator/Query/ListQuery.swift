import Foundation
import VRAModels

/// The OData list options of a vRA list, applied to the objects as the API renders them:
/// `$filter` (see `ODataFilter`), `$orderby` (`name desc,createdAt`) and `$select` (`name,description`).
/// Each list says which of them its spec documents; a list that does not document `$filter` never
/// sees one here. `$count` needs nothing: the lists always send `totalElements`, counted after the filter.
struct ListQuery {
  struct OrderKey: Equatable {
    var path: [String]
    var descending: Bool
  }

  var filter: ODataFilter?
  var orderBy: [OrderKey] = []
  /// The top-level fields to keep; nil keeps every field.
  var select: Set<String>?
  /// `$select=*`: every field, those a list leaves out by default included.
  var selectsAll = false

  /// - Parameters:
  ///   - filtering: whether this list documents `$filter`.
  ///   - alwaysSelected: fields kept whatever `$select` says (those the spec requires, e.g. `id`).
  init(_ query: QueryParameters, filtering: Bool, alwaysSelected: Set<String> = ["id"]) throws {
    if filtering, let text = query.get("$filter"), !text.trimmingCharacters(in: .whitespaces).isEmpty {
      filter = try ODataFilter.parse(text)
    }
    if let text = query.get(anyOf: "$orderby", "$orderBy") {
      orderBy = try Self.parseOrder(text)
    }
    if let text = query.get("$select") {
      let fields = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      if fields.contains("*") {
        selectsAll = true
      } else if !fields.isEmpty {
        select = Set(fields).union(alwaysSelected)
      }
    }
  }

  /// `field [asc|desc]` items separated by commas (or repeated parameters joined by the caller).
  static func parseOrder(_ text: String) throws -> [OrderKey] {
    try text.split(separator: ",").map { item in
      let words = item.split(whereSeparator: \.isWhitespace).map(String.init)
      guard let field = words.first, words.count <= 2 else {
        throw APIError.badRequest("cannot order by '\(item)'; use 'field asc' or 'field desc'")
      }
      let direction = words.count > 1 ? words[1].lowercased() : "asc"
      guard direction == "asc" || direction == "desc" else {
        throw APIError.badRequest("order direction must be asc or desc, got '\(words[1])'")
      }
      return OrderKey(
        path: field.split(whereSeparator: { $0 == "." || $0 == "/" }).map(String.init), descending: direction == "desc")
    }
  }

  /// The objects that pass `$filter`, in `$orderby` order (ties keep their order).
  func apply(to objects: [JSONValue]) -> [JSONValue] {
    var result = filter.map { filter in objects.filter { filter.matches($0) } } ?? objects
    guard !orderBy.isEmpty else { return result }
    result = result.enumerated().sorted { a, b in
      for key in orderBy {
        let order = Self.compare(Self.value(a.element, at: key.path), Self.value(b.element, at: key.path))
        if order != .orderedSame { return key.descending ? order == .orderedDescending : order == .orderedAscending }
      }
      return a.offset < b.offset
    }.map(\.element)
    return result
  }

  /// Whether a field a list leaves out by default was asked for.
  func selects(_ field: String) -> Bool { selectsAll || select?.contains(field) == true }

  /// An object cut down to the `$select`ed fields.
  func project(_ object: JSONValue) -> JSONValue {
    guard let select, case .object(let fields) = object else { return object }
    return .object(fields.filter { select.contains($0.key) })
  }

  private static func value(_ object: JSONValue, at path: [String]) -> JSONValue {
    var value = object
    for key in path {
      guard let inner = value[key] else { return .null }
      value = inner
    }
    return value
  }

  /// Nulls first, then numbers, booleans and strings in their natural order.
  private static func compare(_ a: JSONValue, _ b: JSONValue) -> ComparisonResult {
    switch (a, b) {
    case (.null, .null): return .orderedSame
    case (.null, _): return .orderedAscending
    case (_, .null): return .orderedDescending
    case (.string(let x), .string(let y)): return x.compare(y)
    case (.bool(let x), .bool(let y)): return x == y ? .orderedSame : (x ? .orderedDescending : .orderedAscending)
    default:
      if let x = a.doubleValue, let y = b.doubleValue {
        return x == y ? .orderedSame : (x < y ? .orderedAscending : .orderedDescending)
      }
      return .orderedSame
    }
  }
}

extension JSONValue {
  /// An API value as the JSON it is sent as (vRA's conventions: millisecond timestamps).
  init(rendering value: some Encodable) throws {
    self = try VRAJSON.makeDecoder().decode(JSONValue.self, from: VRAJSON.makeEncoder().encode(value))
  }
}
