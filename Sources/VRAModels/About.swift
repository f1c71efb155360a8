/// `GET /iaas/api/about`, `/deployment/api/about`, ... (`About`, `BlueprintAbout`).
public struct About: Codable, Sendable {
  public var latestApiVersion: String
  public var supportedApis: [ApiDescription]

  public init(latestApiVersion: String, supportedApis: [ApiDescription]) {
    self.latestApiVersion = latestApiVersion
    self.supportedApis = supportedApis
  }
}

/// One supported API version.
public struct ApiDescription: Codable, Sendable {
  public var apiVersion: String
  public var documentationLink: String?

  public init(apiVersion: String, documentationLink: String?) {
    self.apiVersion = apiVersion
    self.documentationLink = documentationLink
  }
}
