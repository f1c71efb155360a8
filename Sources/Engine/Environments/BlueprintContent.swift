import RunState
import VRAClient

/// A blueprint stage without a `version` deploys the blueprint's current content in vRA, which can
/// change without the plan changing. Its digest stands in for the version: kept with what was
/// applied, so `plan` shows an edited blueprint as an update and `apply` sends it.
extension DesiredStage {
  mutating func pinBlueprintContent(catalog: VRACatalog, client: VRAClient) async throws {
    guard source.kind == .blueprint, source.version == nil else { return }
    let projectId = try await catalog.projectId(projectName)
    guard let id = try await catalog.blueprint(source.name, projectId: projectId)?.id,
      let content = try await client.blueprint(id: id).content
    else { return }
    source.templateDigest = SecretDigest.template(content)
  }
}
