import CloudTemplate
import Tracing
import VRAClient
import VRAModels

/// What can be known before the first request is sent: the credentials work, and every project,
/// blueprint (and version) and catalog item (and version) the plan names exists where the stage
/// will deploy it. `apply` runs it before a run is created or resumed, and `apply --dry-run` when
/// vRA is reachable; every problem is reported at once, with the plan file's line and field.
public struct Preflight: Sendable {
  let client: VRAClient

  public init(client: VRAClient) { self.client = client }

  /// - Returns: every problem found (empty: nothing stands in the way).
  /// - Throws: `VRAError` when vRA cannot be reached or refuses the credentials (nothing was sent
  ///   but logins and reads).
  public func check(_ plan: Plan) async throws -> [PlanDiagnostic] {
    // Its own short trace: the run's trace starts once the run exists.
    try await InstrumentationSystem.tracer.withAnySpan("vra-engine.preflight", ofKind: .internal) { _ in
      try await lookUp(plan)
    }
  }

  private func lookUp(_ plan: Plan) async throws -> [PlanDiagnostic] {
    let catalog = VRACatalog(client: client)
    // The projects list needs a token: logging in is the credentials check.
    _ = try await catalog.allProjects()
    var problems: [PlanDiagnostic] = []
    func problem(_ stage: PlanStage, _ code: PlanDiagnosticCode, _ field: String, _ message: String, hint: String?) {
      problems.append(
        PlanDiagnostic(
          code: code, message: message, file: plan.file, location: stage.location(of: "/\(field)"),
          path: "/stages/\(stage.name)/\(field)", hint: hint, stage: stage.name))
    }
    for stage in plan.stages {
      guard let projectName = plan.project(for: stage) else { continue }  // the validator reports it
      guard let project = try await catalog.project(projectName) else {
        problem(
          stage, .unknownProject, "project", "stage '\(stage.name)': no project '\(projectName)' in this organization",
          hint: try await catalog.projectHint(projectName))
        continue
      }
      switch stage.source {
      case .template, .check:
        continue
      case .blueprint(let name, let version):
        guard let blueprint = try await catalog.blueprint(name, projectId: project.id), let id = blueprint.id else {
          problem(
            stage, .unknownBlueprint, "blueprint",
            "stage '\(stage.name)': no blueprint '\(name)' in project '\(projectName)'", hint: nil)
          continue
        }
        if let version {
          let versions = try await client.blueprintVersions(blueprintId: id).collect()
          if !versions.contains(where: { $0.version == version || $0.id == version }) {
            problem(
              stage, .unknownBlueprintVersion, "version",
              "stage '\(stage.name)': blueprint '\(name)' has no version '\(version)'",
              hint: "versions: \(versions.compactMap(\.version).joined(separator: ", "))")
          }
        }
      case .catalogItem(let name, _):
        // A catalog item's version is checked by vRA at submission: the client has no versions call yet.
        guard try await catalog.catalogItem(name, projectId: project.id) != nil else {
          problem(
            stage, .unknownCatalogItem, "catalogItem",
            "stage '\(stage.name)': no catalog item '\(name)' available to project '\(projectName)'", hint: nil)
          continue
        }
      case .action(let action):
        // Another stage's deployment exists only once it ran; one named outside the plan must exist now.
        guard case .deployment(let name) = action.target, !name.contains("${") else { continue }
        guard try await ActionTarget.find(deployment: name, client: client) != nil else {
          problem(
            stage, .unknownDeployment, "action/deployment", "stage '\(stage.name)': no deployment '\(name)' in vRA",
            hint: "the action's deployment is looked up by name, then by id")
          continue
        }
      }
    }
    return problems
  }
}
