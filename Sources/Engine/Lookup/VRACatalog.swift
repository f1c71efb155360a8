import CloudTemplate
import VRAClient
import VRAModels

/// The one place a project, blueprint or catalog item named in a plan or a flag (by name, or by
/// id) is found in vRA: the preflight check, the stage submitter and `deploy`'s input check all ask
/// here, so they agree on what a name means. Projects are listed once per catalog (one run).
public actor VRACatalog {
  private let client: VRAClient
  private var projects: [Project]?

  public init(client: VRAClient) { self.client = client }

  /// Every project of the organization (listing them is also the credentials check).
  public func allProjects() async throws -> [Project] {
    if let projects { return projects }
    let loaded = try await client.projects().collect()
    projects = loaded
    return loaded
  }

  /// The project with id `nameOrId`, else the one named so; nil when there is none.
  public func project(_ nameOrId: String) async throws -> Project? {
    let all = try await allProjects()
    return all.first { $0.id == nameOrId } ?? all.first { $0.name == nameOrId }
  }

  /// The id of the project named or identified by `nameOrId`, or a failure that suggests a name.
  public func projectId(_ nameOrId: String) async throws -> String {
    if let project = try await project(nameOrId) { return project.id }
    throw StageFailure(message: "no project '\(nameOrId)' in this organization", hint: try await projectHint(nameOrId))
  }

  /// "did you mean …?" for a project name not found, else the list of projects.
  public func projectHint(_ nameOrId: String) async throws -> String {
    let names = try await allProjects().compactMap(\.name)
    return NameSuggester.suggestion(for: nameOrId, among: names).map { "did you mean '\($0)'?" }
      ?? "projects: \(names.sorted().joined(separator: ", "))"
  }

  /// The blueprint named `nameOrId` in the project, else the blueprint with that id; nil when none.
  public func blueprint(_ nameOrId: String, projectId: String) async throws -> Blueprint? {
    let listed = try await client.blueprints(name: nameOrId, projects: [projectId]).collect()
    if let found = listed.first(where: { $0.name == nameOrId }) ?? listed.first(where: { $0.id == nameOrId }) {
      return found
    }
    return try await nilWhenNotFound { try await client.blueprint(id: nameOrId) }
  }

  /// The catalog item named `nameOrId` available to the project, else the item with that id; nil when none.
  public func catalogItem(_ nameOrId: String, projectId: String) async throws -> CatalogItem? {
    let listed = try await client.catalogItems(search: nameOrId, projects: [projectId]).collect()
    if let found = listed.first(where: { $0.name == nameOrId }) ?? listed.first(where: { $0.id == nameOrId }) {
      return found
    }
    return try await nilWhenNotFound { try await client.catalogItem(id: nameOrId) }
  }

  /// A name is tried as an id last: vRA answers 404 (or 400 for a malformed id) when it is not one;
  /// anything else (vRA unreachable, credentials refused) is still an error.
  private func nilWhenNotFound<T>(_ fetch: () async throws -> T) async throws -> T? {
    do {
      return try await fetch()
    } catch let error as VRAError {
      switch error.errorClass {
      case .notFound, .validation: return nil
      default: throw error
      }
    }
  }
}
