/// Which requests wait for a person's decision (`approvals:` in `sim.yaml`, `PUT /_sim/approval-policies`).
///
/// vRA's approval policies have criteria, approver lists and levels; the simulator keeps the part a
/// client can observe: a matching request stops in `APPROVAL_PENDING` until someone approves or
/// rejects it through `/_sim/approvals`.
public struct ApprovalPolicy: Codable, Sendable, Hashable {
  public var name: String
  /// Project names or ids; empty: every project.
  public var projects: [String]
  /// `Deployment.Create` (new deployments from blueprint and catalog requests), `Deployment.Update`
  /// (also updates sent as blueprint requests with `deploymentId`), `Deployment.Delete`, any other
  /// deployment or resource action id; empty: every request.
  public var actions: [String]

  public init(name: String, projects: [String] = [], actions: [String] = []) {
    self.name = name
    self.projects = projects
    self.actions = actions
  }

  enum CodingKeys: String, CodingKey { case name, projects, actions }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    name = try container.decode(String.self, forKey: .name)
    projects = try container.decodeIfPresent([String].self, forKey: .projects) ?? []
    actions = try container.decodeIfPresent([String].self, forKey: .actions) ?? []
  }

  /// The action id that stands for creating a deployment.
  public static let createAction = "Deployment.Create"

  /// Whether a request for `actionId` in the project (its id and name) needs this policy's approval.
  func covers(actionId: String, projectId: String, projectName: String?) -> Bool {
    let projectMatches =
      projects.isEmpty || projects.contains(projectId) || projectName.map { projects.contains($0) } == true
    return projectMatches && (actions.isEmpty || actions.contains(actionId))
  }
}

/// Lease limits for `Deployment.ChangeLease` (`leases:` in `sim.yaml`).
public struct LeaseSettings: Codable, Sendable {
  /// The latest a lease may end, in days from now (vRA's lease policy "maximum lease").
  public var maxDays: Double = 90

  public init() {}

  enum CodingKeys: String, CodingKey { case maxDays }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    maxDays = try container.decodeIfPresent(Double.self, forKey: .maxDays) ?? 90
  }
}
