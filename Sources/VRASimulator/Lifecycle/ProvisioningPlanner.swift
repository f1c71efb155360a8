import CloudTemplate
import Foundation
import VRAModels

/// Works out, when a request is accepted, everything that will happen to it and when:
/// which resource instances exist, in what order they are provisioned (the template's
/// dependency layers; independent resources in parallel), how long each takes, and
/// whether one fails.
struct ProvisioningPlanner {
  var durations: DurationSettings
  var timeScale: Double

  struct Plan {
    var resources: [ResourceRecord]
    var steps: [ScheduledStep]
    var totalTasks: Int
  }

  /// The create timeline: CREATED → INITIALIZATION → INPROGRESS → resources → COMPLETION → SUCCESSFUL,
  /// or FAILED at the moment the first failing resource gives up.
  func planCreate(
    template: Template, graph: ResourceGraph, inputs: [String: JSONValue], start: Date,
    shouldFail: (String) -> Bool
  ) -> Plan {
    let initialization = scaled(durations.initialization)
    var steps: [ScheduledStep] = [
      ScheduledStep(at: start.addingTimeInterval(initialization * 0.25), kind: .status(.initialization)),
      ScheduledStep(at: start.addingTimeInterval(initialization), kind: .status(.inProgress)),
    ]
    let provisioningStart = start.addingTimeInterval(initialization)
    var finishOf: [String: Date] = [:]
    var instancesOf: [String: [String]] = [:]
    var resources: [ResourceRecord] = []
    var failure: (at: Date, instance: String)?

    let order = graph.layers.flatMap { $0 }
    let byName = Dictionary(template.resources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    for name in order {
      guard let resource = byName[name] else { continue }
      let dependencies = graph.dependencies(of: name).sorted()
      let begin = dependencies.compactMap { finishOf[$0] }.max() ?? provisioningStart
      let duration = scaled(durations.provisioning(of: resource.type))
      let finish = begin.addingTimeInterval(duration)
      finishOf[name] = finish
      let count = Self.instanceCount(resource.properties["count"], inputs: inputs)
      let names = Self.instanceNames(name, count: count, hasCount: resource.properties["count"] != nil)
      instancesOf[name] = names
      for instance in names {
        let dependsOn = dependencies.flatMap { instancesOf[$0] ?? [$0] }
        resources.append(
          ResourceRecord(
            id: StableID.random(), name: instance, templateName: name, type: resource.type, dependsOn: dependsOn,
            properties: resource.properties, state: .partial, createdAt: begin))
        steps.append(ScheduledStep(at: begin, kind: .resourceStarted(instance)))
        if shouldFail(name) {
          if failure == nil || finish < failure!.at { failure = (finish, instance) }
        } else {
          steps.append(ScheduledStep(at: finish, kind: .resourceReady(instance)))
        }
      }
    }
    let lastFinish = finishOf.values.max() ?? provisioningStart
    if let failure {
      steps = steps.filter { $0.at < failure.at || ($0.at == failure.at && !$0.isResourceStart) }
      let reason =
        "Provisioning of '\(failure.instance)' failed: no placement satisfies the constraints (simulated fault)"
      steps.append(ScheduledStep(at: failure.at, kind: .resourceFailed(failure.instance, message: reason)))
      // vRA's failed request carries the failing resource's reason, which is what users get to read.
      steps.append(ScheduledStep(at: failure.at, kind: .failed(message: "Request failed: \(reason)")))
    } else {
      steps.append(ScheduledStep(at: lastFinish, kind: .status(.completion)))
      steps.append(ScheduledStep(at: lastFinish.addingTimeInterval(scaled(durations.completion)), kind: .succeeded))
    }
    steps.sort { $0.at < $1.at }  // stable: keeps start-before-ready for zero durations
    return Plan(resources: resources, steps: steps, totalTasks: resources.count + 2)
  }

  /// The delete timeline: resources removed in reverse dependency order.
  func planDelete(resources: [ResourceRecord], start: Date) -> [ScheduledStep] {
    let initialization = scaled(durations.initialization) * 0.5
    var steps: [ScheduledStep] = [
      ScheduledStep(at: start.addingTimeInterval(initialization * 0.5), kind: .status(.initialization)),
      ScheduledStep(at: start.addingTimeInterval(initialization), kind: .status(.inProgress)),
    ]
    var time = start.addingTimeInterval(initialization)
    // Reverse creation order respects dependencies: dependants started later. Instances
    // that started together are deleted together and reported when the slowest is gone.
    let batches = Dictionary(grouping: resources, by: \.createdAt).sorted { $0.key > $1.key }
    for (_, batch) in batches {
      let longest = batch.map { scaled(durations.provisioning(of: $0.type) * durations.deleteFactor) }.max() ?? 0
      time = time.addingTimeInterval(longest)
      for resource in batch.sorted(by: { $0.name < $1.name }) {
        steps.append(ScheduledStep(at: time, kind: .resourceDeleted(resource.name)))
      }
    }
    steps.append(ScheduledStep(at: time.addingTimeInterval(scaled(durations.completion) * 0.5), kind: .succeeded))
    return steps
  }

  func scaled(_ seconds: Double) -> TimeInterval { max(0, seconds * timeScale) }

  /// `count: 3` or `count: '${input.n}'` (evaluated by `ExpressionEvaluator`); anything unresolvable
  /// provisions one instance.
  static func instanceCount(_ value: JSONValue?, inputs: [String: JSONValue]) -> Int {
    guard let value else { return 1 }
    let resolved = ExpressionEvaluator(inputs: inputs).evaluate(value)
    let number =
      resolved.intValue ?? resolved.stringValue.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard let number else { return 1 }
    return min(max(number, 0), 100)
  }

  static func instanceNames(_ name: String, count: Int, hasCount: Bool) -> [String] {
    hasCount ? (0..<count).map { "\(name)[\($0)]" } : [name]
  }
}

extension ScheduledStep {
  var isResourceStart: Bool {
    if case .resourceStarted = kind { return true }
    return false
  }
}
