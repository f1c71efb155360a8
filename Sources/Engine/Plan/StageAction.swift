/// A day-2 action a stage runs on a deployment that exists (`action: {stage: db, id:
/// Deployment.PowerOff}`) instead of deploying one: vRA's `POST .../deployments/{id}/requests`, or
/// the resource's, followed by its own request id.
public struct StageAction: Sendable, Hashable {
  /// Which deployment the action acts on.
  public enum Target: Sendable, Hashable {
    /// The deployment of another stage of the plan (an implicit dependency on it).
    case stage(String)
    /// A deployment outside the plan, by name (may hold `${...}` references) or id.
    case deployment(String)
  }

  public var target: Target
  /// vRA's action id: `Deployment.PowerOff`, `Cloud.vSphere.Machine.Resize`, ...
  public var actionId: String
  /// The resource of the deployment the action acts on, by its name in the template (`vm`); nil:
  /// the deployment itself.
  public var resource: String?
  /// The request's reason in vRA (default: the run and stage, as every request of a run).
  public var reason: String?

  public init(target: Target, actionId: String, resource: String? = nil, reason: String? = nil) {
    self.target = target
    self.actionId = actionId
    self.resource = resource
    self.reason = reason
  }

  /// `Deployment.PowerOff on stage db`, `Cloud.vSphere.Machine.Resize on vm of deployment web-1`.
  public var summary: String {
    let on: String =
      switch target {
      case .stage(let stage): "stage \(stage)"
      case .deployment(let name): "deployment \(name)"
      }
    return "\(actionId) on \(resource.map { "\($0) of " } ?? "")\(on)"
  }
}
