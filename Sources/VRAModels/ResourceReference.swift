/// A reference to another object, as vRA expands it (`ResourceReference`).
public struct ResourceReference: Codable, Sendable, Hashable {
  public var id: String?
  public var name: String?
  public var description: String?
  public var version: String?

  public init(id: String?, name: String?, description: String? = nil, version: String? = nil) {
    self.id = id
    self.name = name
    self.description = description
    self.version = version
  }
}
