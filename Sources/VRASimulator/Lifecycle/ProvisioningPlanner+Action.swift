import Foundation
import VRAModels

extension ProvisioningPlanner {
  /// One resource a day-2 action changes, and the properties it ends with.
  struct ActionTarget {
    var name: String
    var properties: [String: JSONValue]
  }

  /// A day-2 action's timeline, shaped like provisioning so clients follow it the same way:
  /// CREATED → INITIALIZATION → INPROGRESS → every target at once (each taking the action's time) →
  /// the deployment-wide change → COMPLETION → SUCCESSFUL. `totalTasks` counts each target, the
  /// deployment change, plus two.
  func planAction(
    _ actionId: String, targets: [ActionTarget], deploymentChange: DeploymentChange?, start: Date
  ) -> (steps: [ScheduledStep], totalTasks: Int) {
    let initialization = scaled(durations.initialization)
    let duration = scaled(durations.action(actionId))
    let began = start.addingTimeInterval(initialization)
    var steps: [ScheduledStep] = [
      ScheduledStep(at: start.addingTimeInterval(initialization * 0.25), kind: .status(.initialization)),
      ScheduledStep(at: began, kind: .status(.inProgress)),
    ]
    let finished = began.addingTimeInterval(duration)
    for target in targets {
      steps.append(ScheduledStep(at: began, kind: .resourceActionStarted(target.name, action: actionId)))
      steps.append(ScheduledStep(at: finished, kind: .resourceChanged(target.name, properties: target.properties)))
    }
    if let deploymentChange {
      steps.append(ScheduledStep(at: finished, kind: .deploymentChanged(deploymentChange)))
    }
    steps.append(ScheduledStep(at: finished, kind: .status(.completion)))
    steps.append(ScheduledStep(at: finished.addingTimeInterval(scaled(durations.completion)), kind: .succeeded))
    return (steps, targets.count + (deploymentChange == nil ? 0 : 1) + 2)
  }
}
