import Engine
import Foundation
import Testing

/// The lifecycle model's random plans, without running them: every one is a valid plan whose
/// edges are the model's, and the mix the model test relies on occurs (check stages of both
/// kinds, read references, deployed stages after a check, the action stage beside them).
@Suite("RunLifecycleModel plans")
struct LifecyclePlanTests {
  @Test("every generated plan loads and validates, with the model's edges and check stages")
  func generatedPlansAreValid() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-plans-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    try PlanShape.template.write(to: root.appendingPathComponent("stage.yaml"), atomically: true, encoding: .utf8)
    var withChecks = 0
    var http = 0
    var twoChecks = 0
    var deployedAfterCheck = 0
    var checksWithAction = 0
    for index in 0..<300 {
      let sequence = LifecycleGenerator.sequence(index, seed: 42, killShare: 0.12)
      let shape = sequence.plan
      let file = root.appendingPathComponent("plan-\(index).yaml")
      try shape.yaml.write(to: file, atomically: true, encoding: .utf8)
      let plan: Plan
      do {
        plan = try PlanLoader.loadValidated(
          contentsOf: file, environment: shape.environment(broken: [], simulator: "http://127.0.0.1:1")
        ).plan
      } catch {
        Issue.record("plan \(shape) does not load: \(error)\n\(shape.yaml)")
        continue
      }
      let graph = try StageGraph(plan: plan)
      for stage in 0..<shape.stageCount {
        let name = PlanShape.name(stage)
        #expect(
          Set(graph.dependencies(of: name)) == Set(shape.parents[stage].map(PlanShape.name)),
          "\(name) of \(shape)")
        let check = plan.stage(named: name)?.source.check
        #expect(check?.kind.rawValue == shape.check(stage)?.kind.rawValue, "\(name) of \(shape)")
        if shape.isCheck(stage) {
          #expect(shape.referencedParent(stage) != nil, "check \(name) reads no parent's output: \(shape)")
        }
      }
      for event in sequence.events {
        if case .breakStage(let stage) = event { #expect(!shape.isAction(stage)) }
      }
      if !shape.checks.isEmpty { withChecks += 1 }
      if shape.checks.contains(where: { $0.kind == .http }) { http += 1 }
      if shape.checks.count == 2 { twoChecks += 1 }
      if shape.deployStages.contains(where: { stage in shape.parents[stage].contains(where: shape.isCheck) }) {
        deployedAfterCheck += 1
      }
      if !shape.checks.isEmpty && shape.action != nil { checksWithAction += 1 }
    }
    #expect((100...200).contains(withChecks), "\(withChecks) of 300 plans have checks")
    #expect(http > 20 && twoChecks > 10 && deployedAfterCheck > 50 && checksWithAction > 30)
  }
}
