/// A project: links users and cloud zones (`Project` in the IaaS and Project Service APIs).
///
/// Both APIs share the fields kept here; `_links` is the IaaS HATEOAS map and is
/// absent from Project Service answers.
public struct Project: Codable, Sendable, Hashable, Identifiable {
  public var id: String
  public var name: String?
  public var description: String?
  public var orgId: String?
  public var operationTimeout: Int?
  public var sharedResources: Bool?
  public var administrators: [Principal]?
  public var members: [Principal]?
  public var viewers: [Principal]?
  public var createdAt: String?
  public var updatedAt: String?
  public var links: [String: Href]?

  enum CodingKeys: String, CodingKey {
    case id, name, description, orgId, operationTimeout, sharedResources, administrators, members, viewers
    case createdAt, updatedAt
    case links = "_links"
  }

  public init(
    id: String, name: String?, description: String? = nil, orgId: String? = nil,
    operationTimeout: Int? = nil, sharedResources: Bool? = nil, administrators: [Principal]? = nil,
    members: [Principal]? = nil, viewers: [Principal]? = nil, createdAt: String? = nil,
    updatedAt: String? = nil, links: [String: Href]? = nil
  ) {
    self.id = id
    self.name = name
    self.description = description
    self.orgId = orgId
    self.operationTimeout = operationTimeout
    self.sharedResources = sharedResources
    self.administrators = administrators
    self.members = members
    self.viewers = viewers
    self.createdAt = createdAt
    self.updatedAt = updatedAt
    self.links = links
  }
}

/// A user or group of a project (`User` in IaaS, `Principal` in Project Service).
public struct Principal: Codable, Sendable, Hashable {
  public var email: String
  public var type: String?
  public init(email: String, type: String? = "user") {
    self.email = email
    self.type = type
  }
}

/// A HATEOAS link (`Href`).
public struct Href: Codable, Sendable, Hashable {
  public var href: String?
  public var hrefs: [String]?
  public init(href: String?, hrefs: [String]? = nil) {
    self.href = href
    self.hrefs = hrefs
  }
}

/// Body of `POST /iaas/api/projects` and `/project-service/api/projects` (`ProjectSpecification`).
public struct ProjectSpecification: Codable, Sendable {
  public var name: String
  public var description: String?
  public var operationTimeout: Int?
  public var sharedResources: Bool?
  public var administrators: [Principal]?
  public var members: [Principal]?
  public var viewers: [Principal]?

  public init(
    name: String, description: String? = nil, operationTimeout: Int? = nil, sharedResources: Bool? = nil,
    administrators: [Principal]? = nil, members: [Principal]? = nil, viewers: [Principal]? = nil
  ) {
    self.name = name
    self.description = description
    self.operationTimeout = operationTimeout
    self.sharedResources = sharedResources
    self.administrators = administrators
    self.members = members
    self.viewers = viewers
  }
}

/// `ProjectResult`: the IaaS list envelope (not a full `Page`).
public struct ProjectResult: Codable, Sendable {
  public var content: [Project]
  public var numberOfElements: Int?
  public var totalElements: Int?
  public init(content: [Project]) {
    self.content = content
    self.numberOfElements = content.count
    self.totalElements = content.count
  }
}
