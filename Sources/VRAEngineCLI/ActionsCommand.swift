import ArgumentParser
import CloudTemplate
import Engine
import EngineRuntime
import Foundation
import VRAClient
import VRAModels

/// `vra-engine actions DEPLOYMENT`: the day-2 actions of a deployment and of its resources, each
/// with whether vRA lets it run now and its inputs.
struct ActionsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "actions",
    abstract: "List the day-2 actions of a deployment and its resources.",
    discussion: """
      DEPLOYMENT is a deployment's name or id. For the deployment and each of its resources (or only \
      --resource NAME): each action's id (what `vra-engine action` and a plan's `action: {id}` take), \
      its display name, whether vRA says it is valid now, and its inputs from the action's schema.

      --output json prints {"deployment": {"id", "name", "projectId"}, "actions": [ResourceAction], \
      "resources": [{"id", "name", "type", "actions": [ResourceAction]}]} with vRA's ResourceAction \
      objects (id, name, displayName, description, valid, actionType, schema).

      Exit codes: 0 listed, 2 no such deployment or resource, 3 auth/connectivity.

      Examples:
        vra-engine actions web-1
        vra-engine actions web-1 --resource vm --output json
      """)

  @Argument(help: ArgumentHelp("The deployment, by name or id.", valueName: "deployment")) var deployment: String
  @Option(help: ArgumentHelp("Only this resource's actions (its name in the template).", valueName: "name"))
  var resource: String?
  @Option(help: OutputFormat.help) var output: OutputFormat = .text
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var telemetry: TelemetryOptions

  struct Listing: Encodable {
    struct Owner: Encodable {
      var id: String
      var name: String
      var projectId: String?
    }
    struct Resource: Encodable {
      var id: String
      var name: String
      var type: String
      var actions: [DeploymentAction]
    }
    var deployment: Owner
    var actions: [DeploymentAction]
    var resources: [Resource]
  }

  func run() async throws {
    let configuration = try await connection.loadConfiguration(telemetry: telemetry)
    let listing = try await RunSession.with(configuration, notice: Terminal.err) { session in
      try await Self.list(deployment, resource: resource, client: session.client)
    }
    if output == .json {
      OutputJSON.print(listing)
    } else {
      Terminal.out(Self.text(listing))
    }
  }

  static func list(_ nameOrId: String, resource: String?, client: VRAClient) async throws -> Listing {
    let target: ActionTarget
    do {
      target = try await ActionTarget.resolve(deployment: nameOrId, resource: resource, client: client)
    } catch let failure as StageFailure {
      throw RuntimeError.error(failure.message, hint: failure.hint, status: .usageOrValidation)
    }
    var listing = Listing(
      deployment: .init(id: target.deploymentId, name: target.deploymentName, projectId: target.projectId),
      actions: [], resources: [])
    if resource == nil { listing.actions = try await client.deploymentActions(deploymentId: target.deploymentId) }
    for found in try await client.deploymentResources(deploymentId: target.deploymentId).collect() {
      guard let id = found.id, resource == nil || found.name == resource else { continue }
      listing.resources.append(
        .init(
          id: id, name: found.name, type: found.type,
          actions: try await client.resourceActions(deploymentId: target.deploymentId, resourceId: id)))
    }
    return listing
  }

  static func text(_ listing: Listing) -> String {
    var lines = ["deployment \(listing.deployment.name) (id \(listing.deployment.id))"]
    lines += rows(listing.actions, indent: "  ")
    for resource in listing.resources {
      lines.append("resource \(resource.name) (\(resource.type), id \(resource.id))")
      lines += rows(resource.actions, indent: "  ")
    }
    return lines.joined(separator: "\n")
  }

  /// One line per action (`valid` first: what can run now), then its inputs.
  private static func rows(_ actions: [DeploymentAction], indent: String) -> [String] {
    guard !actions.isEmpty else { return [indent + "(no actions)"] }
    let width = max(actions.compactMap { $0.id?.count }.max() ?? 0, 6) + 2
    var lines = [indent + "ACTION".padding(toLength: width, withPad: " ", startingAt: 0) + "VALID  NAME"]
    for action in actions {
      let valid = action.valid.map { $0 ? "yes" : "no" } ?? "?"
      lines.append(
        indent + (action.id ?? "?").padding(toLength: width, withPad: " ", startingAt: 0)
          + valid.padding(toLength: 7, withPad: " ", startingAt: 0) + (action.displayName ?? action.name ?? ""))
      for input in inputs(of: action.schema) { lines.append(indent + "    " + input) }
    }
    return lines
  }

  /// `cpuCount: integer, required, 1..16` for each property of an action's input schema.
  static func inputs(of schema: JSONValue?) -> [String] {
    guard case .object(let properties)? = schema?["properties"] else { return [] }
    var required = Set<String>()
    if case .array(let names)? = schema?["required"] {
      for case .string(let name) in names { required.insert(name) }
    }
    return properties.keys.sorted().map { name in
      let property = properties[name] ?? .null
      var facts: [String] = []
      if case .string(let type)? = property["type"] { facts.append(type) }
      if case .string(let format)? = property["format"] { facts.append(format) }
      if required.contains(name) { facts.append("required") }
      if case .array(let values)? = property["enum"] {
        facts.append("one of " + values.map { JSONText.render($0) }.joined(separator: ", "))
      }
      let minimum = property["minimum"].map { JSONText.render($0) }
      let maximum = property["maximum"].map { JSONText.render($0) }
      if minimum != nil || maximum != nil { facts.append("\(minimum ?? "")..\(maximum ?? "")") }
      if let value = property["default"] { facts.append("default \(JSONText.render(value))") }
      return "input \(name): " + facts.joined(separator: ", ")
    }
  }
}
