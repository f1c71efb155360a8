/// Body of `POST /deployment/api/deployments/{id}/requests` (`ResourceActionRequest`): run a
/// day-2 action such as `Deployment.Update` with its inputs.
public struct ResourceActionRequest: Codable, Sendable, Hashable {
  public var actionId: String?
  public var inputs: [String: JSONValue]?
  public var reason: String?

  public init(actionId: String?, inputs: [String: JSONValue]? = nil, reason: String? = nil) {
    self.actionId = actionId
    self.inputs = inputs
    self.reason = reason
  }
}
