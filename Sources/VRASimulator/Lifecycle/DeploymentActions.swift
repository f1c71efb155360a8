/// The deployment day-2 actions the simulator runs (`GET .../deployments/{id}/actions`), by vRA's ids.
enum DeploymentActions {
  static let update = "Deployment.Update"
  static let delete = "Deployment.Delete"
  static let powerOff = "Deployment.PowerOff"
  static let powerOn = "Deployment.PowerOn"
  static let changeLease = "Deployment.ChangeLease"
  static let editTags = "Deployment.EditTags"

  /// `Deployment.ChangeLease`'s one input, named as vRA names it (spaces included).
  static let leaseInput = "Lease Expiration Date"
  /// `Deployment.EditTags`'s one input: `[{key, value}]`, replacing the deployment's tags.
  static let tagsInput = "tags"

  /// What a request of the action is called (`Request.name`), as vRA's UI labels it.
  static func displayName(_ actionId: String) -> String {
    switch actionId.split(separator: ".").last ?? "" {
    case "PowerOff": "Power Off"
    case "PowerOn": "Power On"
    case "ChangeLease": "Change Lease"
    case "EditTags": "Edit Tags"
    case let last: String(last)
    }
  }
}

/// Machine resource actions: `<resource type>.PowerOff`, `.PowerOn`, `.Resize`, as vRA names them
/// (`Cloud.vSphere.Machine.PowerOff`, `Cloud.Machine.Resize`, ...).
enum MachineActions {
  enum Kind: String, CaseIterable { case powerOff = "PowerOff", powerOn = "PowerOn", resize = "Resize" }

  /// Limits of `Resize`'s inputs (the schema's `minimum` / `maximum`).
  static let cpuRange = 1...32
  static let memoryRange = 512...262_144

  /// Whether a resource of this type is a machine, the only resources with actions here.
  static func isMachine(_ type: String) -> Bool {
    let lowered = type.lowercased()
    return lowered.hasSuffix("machine") || lowered.hasSuffix("instance")
  }

  static func id(_ kind: Kind, type: String) -> String { "\(type).\(kind.rawValue)" }

  /// The kind of `actionId` on a machine of `type`, or nil when the resource has no such action.
  static func kind(of actionId: String, type: String) -> Kind? {
    guard isMachine(type), actionId.hasPrefix(type + ".") else { return nil }
    return Kind(rawValue: String(actionId.dropFirst(type.count + 1)))
  }
}
