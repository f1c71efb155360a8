import CloudTemplate
import Engine
import VRAClient
import VRAModels

/// `deploy`: one template, blueprint or catalog item as a one-stage plan, run by the same
/// `Orchestrator` as a plan (the same record, progress, cancel and report).
public enum OneStageDeployment {
  /// The name of the plan's only stage.
  public static let stageName = "deploy"

  /// The one-stage plan. The deployment name and the inputs are the user's literal text: any
  /// `${` in them reaches vRA as written (see `LiteralText`); run it with `LiteralText.environment`.
  public static func plan(
    _ source: StageSource, inputs: [String: JSONValue], project: String?, deploymentName: String,
    timeout: Duration?, file: String
  ) -> Plan {
    Plan(
      name: "deploy",
      defaults: PlanDefaults(project: project, parallelism: 1, timeout: timeout),
      stages: [
        PlanStage(
          name: stageName, source: source, deploymentName: LiteralText.escape(deploymentName),
          inputs: inputs.mapValues(LiteralText.escape))
      ],
      file: file)
  }

  /// A blueprint or catalog item in vRA with `sources`' inputs checked against its inputs schema.
  public struct Remote: Sendable {
    public var source: StageSource
    /// The inputs' problems (errors and warnings), with the schema's name as their file.
    public var findings: [ValidationFinding]
    public var inputs: [String: JSONValue]
  }

  /// Finds `nameOrId` (exit 2 when there is none, 3 when vRA cannot be asked) and checks the inputs.
  public static func remote(
    _ kind: RemoteSource.Kind, _ nameOrId: String, version: String?, project: String, inputs sources: InputSources,
    client: VRAClient
  ) async throws(RuntimeError) -> Remote {
    let found: RemoteSource
    do {
      found = try await RemoteSource.find(
        kind, nameOrId, version: version, project: project, in: VRACatalog(client: client), client: client)
    } catch let failure as StageFailure {
      throw .error(failure.description, status: .usageOrValidation)
    } catch let error as VRAError where error.errorClass == .notFound {
      throw .error(error.message, status: .usageOrValidation)
    } catch {
      throw .error("\(error)", status: .authOrConnectivity)
    }
    let gathered = sources.gather(for: found.inputs)
    let result = gathered.validate(against: found.inputs)
    let findings =
      gathered.problems.map(ValidationFinding.init)
      + result.violations.map { ValidationFinding($0, templateFile: found.inputs.fileName) }
    let source: StageSource =
      kind == .blueprint
      ? .blueprint(name: found.name, version: version) : .catalogItem(name: found.name, version: version)
    return Remote(source: source, findings: findings, inputs: result.boundInputs)
  }
}
