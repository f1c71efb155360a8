import VRAModels

/// Outputs and resources of the stages that succeeded so far: what `${stages.S...}` reads.
actor StageResults {
  private var results: [String: StageResult] = [:]

  init(_ initial: [String: StageResult] = [:]) { results = initial }

  func record(_ stage: String, _ result: StageResult) { results[stage] = result }

  var all: [String: StageResult] { results }
}
