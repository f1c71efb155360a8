import Foundation
import VRAModels

extension SimulatorState {
  func listProjects(org: String) -> [ProjectRecord] {
    projects.values.filter { $0.orgId == org }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
  }

  func createProject(_ spec: ProjectSpecification, org: String) throws -> ProjectRecord {
    let name = spec.name.trimmingCharacters(in: .whitespaces)
    guard !name.isEmpty else { throw APIError.badRequest("Project name must not be empty") }
    guard !projects.values.contains(where: { $0.orgId == org && $0.name == name }) else {
      throw APIError(.conflict, "Project with name '\(name)' already exists", errorCode: 10409)
    }
    let now = Date()
    let project = ProjectRecord(
      id: StableID.random(), orgId: org, name: name, description: spec.description,
      operationTimeout: spec.operationTimeout, sharedResources: spec.sharedResources,
      administrators: spec.administrators, members: spec.members, viewers: spec.viewers, createdAt: now,
      updatedAt: now)
    projects[project.id] = project
    markChanged()
    return project
  }

  func deleteProject(_ id: String, org: String) throws {
    guard let project = projects[id], project.orgId == org else { throw APIError.notFound("Project", id) }
    if deployments.values.contains(where: { $0.projectId == id && !$0.deleted }) {
      throw APIError(.conflict, "Project '\(project.name)' is in use by deployments", errorCode: 10409)
    }
    projects[id] = nil
    markChanged()
  }
}
