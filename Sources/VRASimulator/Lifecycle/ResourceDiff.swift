import CloudTemplate
import Foundation
import VRAModels

/// What applying a template with some inputs does to each resource instance of a deployment (or
/// of a deployment still to be made): the plan an update follows and a what-if shows.
///
/// A resource is compared on the properties its template gives it, evaluated (`${input.X}`,
/// `${resource.R.prop}` against the deployment as it is now): the keys of the new template's
/// properties, plus those the previous template had (a property the new template drops is a
/// change). Its current value is what the deployment shows, so a change made outside vRA shows up
/// too. The rules (docs/simulator.md, "Updates"):
/// - only in the new template, or gone from the deployment: CREATE;
/// - only in the deployment: DELETE;
/// - another type, a failed (tainted) resource, or a machine whose `image`/`imageRef` changes: RECREATE;
/// - other evaluated properties differ: UPDATE (in place, same id);
/// - nothing differs: READ.
struct ResourceDiff {
  struct Change: Sendable {
    /// `web` or `web[1]`.
    var name: String
    var templateName: String
    var type: String
    var reason: BlueprintPlanResourceReason
    /// The instance as the deployment has it now (nil for CREATE).
    var existing: ResourceRecord?
    /// The new template's properties, unevaluated (what gets provisioned); nil for DELETE.
    var templateProperties: [String: JSONValue]?
    /// Evaluated, secrets in clear (masked only when rendered).
    var oldProperties: [String: JSONValue]?
    var newProperties: [String: JSONValue]?
    /// Instance names this one depends on (for DELETE: as the deployment recorded them).
    var dependsOn: [String]
  }

  /// In the new template's dependency order, then the deletions.
  var changes: [Change]

  init(
    current resources: [ResourceRecord], previousTemplate: Template?, template: Template, graph: ResourceGraph,
    inputs: [String: JSONValue]
  ) {
    let existingByName = Dictionary(resources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var previousKeys: [String: Set<String>] = [:]
    for resource in previousTemplate?.resources ?? [] {
      previousKeys[resource.name] = Set(resource.properties.keys).subtracting(["count"])
    }
    let byName = Dictionary(template.resources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var instancesOf: [String: [String]] = [:]
    var changes: [Change] = []
    for name in graph.layers.flatMap({ $0 }) {
      guard let resource = byName[name] else { continue }
      let count = ProvisioningPlanner.instanceCount(resource.properties["count"], inputs: inputs)
      let names = ProvisioningPlanner.instanceNames(
        name, count: count, hasCount: resource.properties["count"] != nil)
      instancesOf[name] = names
      let dependsOn = graph.dependencies(of: name).sorted().flatMap { instancesOf[$0] ?? [$0] }
      var properties = resource.properties
      properties["count"] = nil
      for instance in names {
        let existing = existingByName[instance]
        let resolver = OutputResolver(resources: resources, inputs: inputs, current: existing)
        let wanted = resolver.resolve(.object(properties)).objectValue ?? [:]
        var change = Change(
          name: instance, templateName: name, type: resource.type, reason: .create, existing: existing,
          templateProperties: properties, oldProperties: nil, newProperties: wanted, dependsOn: dependsOn)
        if let existing {
          let keys = Set(wanted.keys).union(previousKeys[name] ?? [])
          let old = existing.properties.filter { keys.contains($0.key) }
          change.oldProperties = old
          if existing.type != resource.type || existing.state == .tainted
            || Self.replacesMachine(type: resource.type, old: old, new: wanted)
          {
            change.reason = .recreate
          } else {
            change.reason = old == wanted ? .read : .update
          }
        }
        changes.append(change)
      }
    }
    let kept = Set(changes.map(\.name))
    for resource in resources where !kept.contains(resource.name) {
      let keys = previousKeys[resource.templateName]
      changes.append(
        Change(
          name: resource.name, templateName: resource.templateName, type: resource.type, reason: .delete,
          existing: resource, templateProperties: nil,
          oldProperties: keys.map { keys in resource.properties.filter { keys.contains($0.key) } }
            ?? resource.properties,
          newProperties: nil, dependsOn: resource.dependsOn))
    }
    self.changes = changes
  }

  /// vRA cannot change a machine's image in place: it deletes the machine and provisions a new one.
  static func replacesMachine(type: String, old: [String: JSONValue], new: [String: JSONValue]) -> Bool {
    let lowered = type.lowercased()
    guard lowered.hasSuffix("machine") || lowered.contains("instance") else { return false }
    return ["image", "imageRef"].contains { old[$0] != new[$0] }
  }
}
