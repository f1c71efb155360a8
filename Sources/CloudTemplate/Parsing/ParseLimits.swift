/// Bounds that keep a hostile template from exhausting time, memory or stack.
public struct ParseLimits: Sendable, Hashable {
  /// Largest accepted file, in bytes of UTF-8.
  public var maxBytes: Int
  /// Deepest accepted nesting of mappings and sequences. libyaml itself stops at 1000.
  public var maxDepth: Int
  /// Most nodes a document may expand to once aliases are followed (the alias-bomb guard).
  public var maxNodes: Int

  public init(maxBytes: Int = 5 * 1024 * 1024, maxDepth: Int = 256, maxNodes: Int = 1_000_000) {
    self.maxBytes = maxBytes
    self.maxDepth = maxDepth
    self.maxNodes = maxNodes
  }

  public static let `default` = ParseLimits()
}
