import CloudTemplate
import VRAClient
import VRAModels

/// Finds projects by name or id once per run: plans name projects (`Development`), vRA wants ids.
actor ProjectDirectory {
  private let client: VRAClient
  private var projects: [Project]?

  init(client: VRAClient) { self.client = client }

  /// The id of the project named or identified by `nameOrId`.
  func id(of nameOrId: String) async throws -> String {
    let all = try await load()
    if let match = all.first(where: { $0.id == nameOrId }) ?? all.first(where: { $0.name == nameOrId }) {
      return match.id
    }
    let names = all.compactMap(\.name)
    let hint = NameSuggester.suggestion(for: nameOrId, among: names).map { "did you mean '\($0)'?" }
    throw StageFailure(
      message: "no project '\(nameOrId)' in this organization",
      hint: hint ?? "projects: \(names.sorted().joined(separator: ", "))")
  }

  private func load() async throws -> [Project] {
    if let projects { return projects }
    let loaded = try await client.projects().collect()
    projects = loaded
    return loaded
  }
}
