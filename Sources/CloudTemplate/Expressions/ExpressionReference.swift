/// What a `${...}` reference points at: the first identifier of its path.
public enum ReferenceKind: String, Sendable, Hashable, Codable, CaseIterable {
  case input
  case resource
  case `self`
  case propgroup
  case env
  case secret
  /// `count.index` inside a resource with `count`.
  case count
  /// An identifier that is none of the above (reported as a warning: vRA would reject it).
  case unknown
}

/// One reference extracted from a `${...}` expression, e.g. `resource.web[0].address`.
public struct ExpressionReference: Sendable, Hashable {
  public var kind: ReferenceKind
  /// Path segments after the root: `resource["web"][0].address` → `["web", "0", "address"]`; `[*]` → `"*"`.
  public var segments: [String]
  /// The reference as written inside the expression.
  public var text: String
  /// Where the reference is written in the template.
  public var location: SourceLocation
  /// JSON pointer of the string that holds the expression.
  public var path: String

  public init(kind: ReferenceKind, segments: [String], text: String, location: SourceLocation, path: String) {
    self.kind = kind
    self.segments = segments
    self.text = text
    self.location = location
    self.path = path
  }

  /// The input, resource, property group, variable or secret named: the first segment.
  public var name: String? { segments.first }
}
