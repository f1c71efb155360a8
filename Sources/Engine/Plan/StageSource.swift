import CloudTemplate
import Foundation

/// What a stage deploys.
public enum StageSource: Sendable, Hashable {
  /// A local cloud template, resolved relative to the plan file and already parsed.
  case template(path: URL, template: Template)
  /// A blueprint in vRA's catalog of cloud templates, by name or id; nil version means the latest released.
  case blueprint(name: String, version: String?)
  /// A Service Broker catalog item, by name or id.
  case catalogItem(name: String, version: String?)
  /// A day-2 action on a deployment that exists: the stage deploys nothing.
  case action(StageAction)
  /// A smoke check (HTTP, TCP or a command): the stage deploys nothing and sends nothing to vRA.
  case check(StageCheck)

  /// The parsed template of a `.template` stage.
  public var template: Template? {
    if case .template(_, let template) = self { return template }
    return nil
  }

  /// `template network.yaml`, `blueprint base-linux@3`, `catalogItem Ubuntu` for messages.
  public var summary: String {
    switch self {
    case .template(let path, _): "template \(path.lastPathComponent)"
    case .blueprint(let name, let version): "blueprint \(name)\(version.map { "@\($0)" } ?? "")"
    case .catalogItem(let name, let version): "catalogItem \(name)\(version.map { "@\($0)" } ?? "")"
    case .action(let action): "action \(action.summary)"
    case .check(let check): "check \(check.summary)"
    }
  }

  /// The check of a `.check` stage.
  public var check: StageCheck? {
    if case .check(let check) = self { return check }
    return nil
  }

  /// Whether the stage has a deployment of its own or acts on one in vRA (not a check).
  public var usesVRA: Bool { check == nil }

  /// The action of an `.action` stage.
  public var action: StageAction? {
    if case .action(let action) = self { return action }
    return nil
  }
}
