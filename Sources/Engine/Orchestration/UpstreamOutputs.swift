import VRAModels

/// Outputs and resources of the stages that succeeded so far: what `${stages.S...}` reads.
actor UpstreamOutputs {
  private var results: [String: StageOutputs] = [:]

  init(_ initial: [String: StageOutputs] = [:]) { results = initial }

  func record(_ stage: String, _ result: StageOutputs) { results[stage] = result }

  var all: [String: StageOutputs] { results }
}
