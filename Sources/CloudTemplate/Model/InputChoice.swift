/// One entry of an input's `oneOf` list: a value (`const`) shown to the user as `title`.
public struct InputChoice: Sendable, Hashable {
  public var title: String?
  public var value: JSONValue?
  public var location: SourceLocation

  public init(title: String?, value: JSONValue?, location: SourceLocation) {
    self.title = title
    self.value = value
    self.location = location
  }
}
