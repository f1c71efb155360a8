/// Where a stage deploys besides its project: org (tenant), region and constraint tags.
public struct StagePlacement: Sendable, Hashable, Codable {
  public var org: String?
  public var region: String?
  /// vRA constraint tags, `key:value` (e.g. `env:prod`), in the order written.
  public var constraintTags: [String]

  public init(org: String? = nil, region: String? = nil, constraintTags: [String] = []) {
    self.org = org
    self.region = region
    self.constraintTags = constraintTags
  }

  /// These values with every value `other` sets on top; constraint tags are added, without duplicates.
  public func overridden(by other: StagePlacement) -> StagePlacement {
    var tags = constraintTags
    for tag in other.constraintTags where !tags.contains(tag) { tags.append(tag) }
    return StagePlacement(org: other.org ?? org, region: other.region ?? region, constraintTags: tags)
  }
}
