/// A status or kind whose values the vRA specs enumerate but a newer vRA may extend.
///
/// Each concrete type is a `RawRepresentable` struct rather than a Swift `enum`, so an
/// unknown future value decodes instead of failing the whole response.
public protocol OpenEnum: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible,
  ExpressibleByStringLiteral
where RawValue == String {
  init(rawValue: String)
  /// Every value the specs list.
  static var documented: [Self] { get }
}

extension OpenEnum {
  public init(stringLiteral value: String) { self.init(rawValue: value) }
  public var description: String { rawValue }
  /// True when the specs list this value; false for a value a newer vRA introduced.
  public var isDocumented: Bool { Self.documented.contains(self) }

  public init(from decoder: any Decoder) throws {
    self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
