import CloudTemplate
import Foundation
import VRAClient
import VRAModels

/// A blueprint or catalog item in vRA, found by name or id before a deploy submits it, with its
/// inputs as a template so the inputs are checked by the same code as a local template's.
public struct RemoteSource: Sendable {
  public enum Kind: String, Sendable {
    case blueprint
    case catalogItem = "catalog item"
  }

  /// The name vRA lists it under: what `StageSubmitter` looks it up by.
  public var name: String
  /// The inputs of the chosen version (`resources` left empty): only its `inputs` are used.
  public var inputs: Template

  /// Finds `nameOrId` among the objects `project` (a name or id) can use.
  public static func find(
    _ kind: Kind, _ nameOrId: String, version: String?, project: String, in catalog: VRACatalog, client: VRAClient
  ) async throws -> RemoteSource {
    let projectId = try await catalog.projectId(project)
    switch kind {
    case .blueprint:
      guard let blueprint = try await catalog.blueprint(nameOrId, projectId: projectId), let id = blueprint.id,
        let name = blueprint.name
      else {
        throw StageFailure(message: "no blueprint '\(nameOrId)' in project '\(project)'")
      }
      let schema = try await client.blueprintInputsSchema(blueprintId: id, version: version)
      return RemoteSource(name: name, inputs: try template(from: schema, describing: "blueprint \(name)"))
    case .catalogItem:
      guard let item = try await catalog.catalogItem(nameOrId, projectId: projectId) else {
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
  public static func template(from schema: JSONValue, describing what: String) throws -> Template {
    let properties = schema["properties"] ?? .object([:])
    let text = "formatVersion: 1\ninputs: \(JSONText.render(properties))\nresources: {}\n"
    do {
      return try TemplateParser.parse(text, fileName: what)
    } catch {
      throw StageFailure(message: "cannot read the inputs of \(what): \(error.description)")
    }
  }
}
