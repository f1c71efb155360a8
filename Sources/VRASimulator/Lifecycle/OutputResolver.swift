import CloudTemplate
import VRAModels

/// Resolves `${...}` in template outputs and resource properties against a deployment's records.
///
/// The evaluation itself is `CloudTemplate.ExpressionEvaluator`; this only hands it the inputs, the
/// current resource and the deployment's resource instances, so the simulator keeps no template logic.
struct OutputResolver {
  private let evaluator: ExpressionEvaluator

  init(deployment: DeploymentRecord, inputs: [String: JSONValue], current: ResourceRecord? = nil) {
    self.init(resources: deployment.resources, inputs: inputs, current: current)
  }

  /// Against a set of resource instances (a plan resolves against a deployment that may not exist yet).
  init(resources: [ResourceRecord], inputs: [String: JSONValue], current: ResourceRecord? = nil) {
    evaluator = ExpressionEvaluator(
      inputs: inputs, selfProperties: current?.properties,
      resourceInstances: { name in resources.filter { $0.templateName == name }.map(\.properties) })
  }

  /// Template `outputs: {name: {value: '${...}'}}` → request outputs.
  func resolve(_ outputs: [String: JSONValue]) -> [String: JSONValue] {
    outputs.mapValues { output in
      if let value = output["value"] { return evaluator.evaluate(value) }
      return evaluator.evaluate(output)
    }
  }

  func resolve(_ value: JSONValue) -> JSONValue { evaluator.evaluate(value) }
}
