/// "`from` must be created after `to`": one dependency between two resources of a template.
public struct ResourceEdge: Sendable, Hashable, Codable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable, Codable {
    /// `from` uses `${resource.to...}` somewhere in its definition.
    case reference
    /// `from` lists `to` under `dependsOn`.
    case dependsOn
  }

  public var from: String
  public var to: String
  public var kind: Kind

  public init(from: String, to: String, kind: Kind) {
    self.from = from
    self.to = to
    self.kind = kind
  }

  public var description: String { "\(from) -> \(to) (\(kind.rawValue))" }
}
