import CloudTemplate
import Engine
import Foundation
import VRAClient
import VRAModels

/// A blueprint or catalog item in vRA, found by name or id before a deploy submits it, with its
/// inputs as a template so the inputs are checked by the same code as a local template's.
struct RemoteSource {
  enum Kind: String {
    case blueprint
    case catalogItem = "catalog item"
  }

  /// The name vRA lists it under: what `StageSubmitter` looks it up by.
  var name: String
  /// The inputs of the chosen version (`resources` left empty): only its `inputs` are used.
  var inputs: Template

  /// Finds `nameOrId` among the objects `project` (a name or id) can use.
  static func find(
    _ kind: Kind, _ nameOrId: String, version: String?, project: String, client: VRAClient
  ) async throws -> RemoteSource {
    let projects = try await client.projects().collect()
    guard let projectId = (projects.first { $0.id == project } ?? projects.first { $0.name == project })?.id else {
      throw StageFailure(
        message: "no project '\(project)' in this organization",
        hint: "projects: \(projects.compactMap(\.name).sorted().joined(separator: ", "))")
    }
    switch kind {
    case .blueprint:
      let named = try await client.blueprints(name: nameOrId, projects: [projectId]).collect()
      var found = named.first { $0.name == nameOrId }
      if found == nil { found = try? await client.blueprint(id: nameOrId) }
      guard let blueprint = found, let id = blueprint.id, let name = blueprint.name else {
        throw StageFailure(message: "no blueprint '\(nameOrId)' in project '\(project)'")
      }
      let schema = try await client.blueprintInputsSchema(blueprintId: id, version: version)
      return RemoteSource(name: name, inputs: try template(from: schema, describing: "blueprint \(name)"))
    case .catalogItem:
      let listed = try await client.catalogItems(search: nameOrId, projects: [projectId]).collect()
      var found = listed.first { $0.name == nameOrId }
      if found == nil { found = try? await client.catalogItem(id: nameOrId) }
      guard let item = found else {
        throw StageFailure(message: "no catalog item '\(nameOrId)' available to project '\(project)'")
      }
      return RemoteSource(
        name: item.name,
        inputs: try template(from: item.schema ?? .object([:]), describing: "catalog item \(item.name)"))
    }
  }

  /// A template whose inputs are the properties of a JSON Schema as vRA's `inputs-schema` gives
  /// them: each property is an input definition as written in the template, so the YAML
  /// (JSON is YAML) parses back into the same `TemplateInput`s.
  static func template(from schema: JSONValue, describing what: String) throws -> Template {
    let properties = schema["properties"] ?? .object([:])
    let text = "formatVersion: 1\ninputs: \(JSONText.render(properties))\nresources: {}\n"
    do {
      return try TemplateParser.parse(text, fileName: what)
    } catch {
      throw StageFailure(message: "cannot read the inputs of \(what): \(error.description)")
    }
  }
}
