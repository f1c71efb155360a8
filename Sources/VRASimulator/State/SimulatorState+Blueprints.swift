import CloudTemplate
import Foundation
import VRAModels

extension SimulatorState {
  func listBlueprints(org: String) -> [BlueprintRecord] {
    blueprints.values.filter { $0.orgId == org }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
  }

  func blueprint(_ id: String, org: String) throws -> BlueprintRecord {
    guard let blueprint = blueprints[id], blueprint.orgId == org else { throw APIError.notFound("Blueprint", id) }
    return blueprint
  }

  func createBlueprint(_ body: Blueprint, org: String, user: String) throws -> BlueprintRecord {
    guard let name = body.name, !name.isEmpty else { throw APIError.badRequest("Blueprint name is required") }
    guard let projectId = body.projectId else { throw APIError.badRequest("Blueprint projectId is required") }
    guard project(projectId, org: org) != nil else { throw APIError.notFound("Project", projectId) }
    if blueprints.values.contains(where: { $0.orgId == org && $0.name == name && $0.projectId == projectId }) {
      throw APIError(.conflict, "Blueprint with name '\(name)' already exists in the project", errorCode: 10409)
    }
    let now = Date()
    let blueprint = BlueprintRecord(
      id: StableID.random(), orgId: org, projectId: projectId, name: name, description: body.description,
      content: body.content ?? "", requestScopeOrg: body.requestScopeOrg ?? false, createdAt: now, createdBy: user,
      updatedAt: now, updatedBy: user, versions: [])
    blueprints[blueprint.id] = blueprint
    markChanged()
    return blueprint
  }

  func updateBlueprint(_ id: String, with body: Blueprint, org: String, user: String) throws -> BlueprintRecord {
    var blueprint = try self.blueprint(id, org: org)
    if let name = body.name, !name.isEmpty { blueprint.name = name }
    if let description = body.description { blueprint.description = description }
    if let content = body.content { blueprint.content = content }
    if let scope = body.requestScopeOrg { blueprint.requestScopeOrg = scope }
    if let projectId = body.projectId {
      guard project(projectId, org: org) != nil else { throw APIError.notFound("Project", projectId) }
      blueprint.projectId = projectId
    }
    blueprint.updatedAt = Date()
    blueprint.updatedBy = user
    blueprints[id] = blueprint
    markChanged()
    return blueprint
  }

  func deleteBlueprint(_ id: String, org: String) throws {
    _ = try blueprint(id, org: org)
    blueprints[id] = nil
    markChanged()
  }

  func createVersion(
    _ id: String, request: BlueprintVersionRequest, org: String, user: String
  ) throws
    -> BlueprintVersionRecord
  {
    var blueprint = try self.blueprint(id, org: org)
    let version = request.version.trimmingCharacters(in: .whitespaces)
    guard !version.isEmpty else { throw APIError.badRequest("version is required") }
    guard !blueprint.versions.contains(where: { $0.version == version }) else {
      throw APIError(
        .conflict, "Version '\(version)' already exists for blueprint '\(blueprint.name)'", errorCode: 10409)
    }
    let findings = Self.validate(content: blueprint.content)
    if findings.contains(where: { $0.type == .error }) {
      throw APIError(
        .badRequest, "Blueprint content is invalid: " + findings.compactMap(\.message).joined(separator: "; "),
        errorCode: 10400, validationMessages: findings)
    }
    let now = Date()
    let record = BlueprintVersionRecord(
      id: StableID.random(), version: version, description: request.description, changeLog: request.changeLog,
      content: blueprint.content, released: request.release ?? false, createdAt: now, createdBy: user, updatedAt: now)
    blueprint.versions.append(record)
    blueprint.updatedAt = now
    blueprints[id] = blueprint
    markChanged()
    return record
  }

  func setReleased(_ id: String, version: String, released: Bool, org: String) throws -> BlueprintVersionRecord {
    var blueprint = try self.blueprint(id, org: org)
    guard let index = blueprint.versionIndex(version) else {
      throw APIError.notFound("Blueprint version", version)
    }
    blueprint.versions[index].released = released
    blueprint.versions[index].updatedAt = Date()
    blueprints[id] = blueprint
    markChanged()
    return blueprint.versions[index]
  }

  /// vRA-style validation messages for a template text: parse errors, unknown
  /// references and cycles as ERROR, request-time values as INFO/WARNING.
  static func validate(content: String) -> [BlueprintValidationMessage] {
    do {
      let template = try TemplateParser.parse(content, fileName: "blueprint.yaml")
      return TemplateValidator.validate(template).map(\.validationMessage)
    } catch {
      return error.diagnostics.map(\.validationMessage)
    }
  }
}

extension TemplateDiagnostic {
  /// The diagnostic as vRA reports it in `validationMessages`.
  var validationMessage: BlueprintValidationMessage {
    BlueprintValidationMessage(
      message: message, path: path, resourceName: Self.resourceName(in: path),
      type: severity == .error ? .error : .warning,
      metadata: ["line": String(line), "column": String(column), "code": code.rawValue])
  }

  /// `/resources/web/properties/x` → `web`.
  private static func resourceName(in path: String) -> String? {
    let parts = path.split(separator: "/")
    guard parts.count >= 2, parts[0] == "resources" else { return nil }
    return String(parts[1])
  }
}
