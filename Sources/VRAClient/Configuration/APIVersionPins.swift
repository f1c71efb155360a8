/// The `apiVersion` query parameter sent to each vRA API family.
///
/// vRA answers without it, but then with its newest behaviour, which can change on
/// upgrade; pinning keeps answers stable. Values are the specs' versions
/// (`shared/vra-api/`); set a family to nil to omit the parameter.
public struct APIVersionPins: Sendable, Hashable {
  public var iaas: String? = "2021-07-15"
  public var blueprint: String? = "2019-09-12"
  public var deployment: String? = "2020-08-25"
  public var catalog: String? = "2020-08-25"
  public var projectService: String? = "2019-01-15"

  public init() {}

  func version(for family: APIFamily) -> String? {
    switch family {
    case .iaas: iaas
    case .blueprint: blueprint
    case .deployment: deployment
    case .catalog: catalog
    case .projectService: projectService
    case .identity: nil
    }
  }
}

/// The vRA services, each with its own base path and `apiVersion`.
public enum APIFamily: String, Sendable, Hashable {
  case iaas, blueprint, deployment, catalog, projectService, identity

  static func of(path: String) -> APIFamily {
    if path.hasPrefix("/iaas/") { return .iaas }
    if path.hasPrefix("/blueprint/") { return .blueprint }
    if path.hasPrefix("/deployment/") { return .deployment }
    if path.hasPrefix("/catalog/") { return .catalog }
    if path.hasPrefix("/project-service/") { return .projectService }
    return .identity
  }
}
