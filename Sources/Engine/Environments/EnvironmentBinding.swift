import CloudTemplate

/// A plan bound to a named environment: its deployments get names that stay the same from one
/// apply to the next (`<env>-<stage>` unless the plan names them), which is what lets the next
/// apply find them and converge instead of creating a second copy.
public struct EnvironmentBinding: Sendable, Hashable {
  public let name: String
  public let plan: Plan

  /// Binds `plan` to `flag` (`--env`), else to the plan's own `environment:`; nil when neither names one.
  /// - Throws: `PlanError` naming each deployment name that would change between runs (`${run.id}`),
  ///   and a bad `--env` name.
  public static func bind(_ plan: Plan, flag: String?) throws(PlanError) -> EnvironmentBinding? {
    guard let name = flag ?? plan.environment else { return nil }
    var diagnostics: [PlanDiagnostic] = []
    if let problem = EnvironmentName.problem(with: name) {
      diagnostics.append(
        PlanDiagnostic(
          code: .invalidValue, message: flag == nil ? problem : "--env \(name): \(problem)", file: plan.file,
          location: flag == nil ? (plan.environmentLocation ?? .startOfFile) : .startOfFile, path: "/environment"))
    }
    var bound = plan
    bound.environment = name
    for index in bound.stages.indices {
      let stage = bound.stages[index]
      let written = stage.valueLocations["/deploymentName"]
      guard let written else {
        bound.stages[index].deploymentName = defaultDeploymentName(environment: name, stage: stage.name)
        continue
      }
      if PlanReferenceScanner.scan(stage.deploymentName).contains(where: { $0.reference == .runID }) {
        diagnostics.append(
          PlanDiagnostic(
            code: .invalidValue,
            message:
              "stage '\(stage.name)': deploymentName '\(stage.deploymentName)' changes with every run, so environment "
              + "\(name) could never find its deployment again",
            file: plan.file, location: written, path: "/stages/\(stage.name)/deploymentName",
            hint: "drop `${run.id}` from the name, or leave deploymentName out to get \(name)-\(stage.name)",
            stage: stage.name))
      }
    }
    guard diagnostics.isEmpty else { throw PlanError(diagnostics: diagnostics) }
    return EnvironmentBinding(name: name, plan: bound)
  }

  /// `<env>-<stage>`: the deployment name of a stage whose plan names none.
  public static func defaultDeploymentName(environment: String, stage: String) -> String {
    "\(environment)-\(stage)"
  }
}
