import Engine
import EngineRuntime
import Foundation
import RunState
import Testing

@Suite("Exit status, from typed values")
struct ExitStatusTests {
  static func stage(_ name: String, _ status: StageStatus, _ failure: FailureClass? = nil) -> StageRecord {
    StageRecord(
      runId: RunID(rawValue: "r"), name: name, status: status,
      error: failure.map { RecordedError(errorClass: $0, message: "m") }, updatedAt: Date())
  }

  @Test("a finished run's status decides, and a failure only of reaching vRA is 3")
  func finishedRuns() {
    #expect(ExitStatus.of(.succeeded, stages: []) == .ok)
    #expect(ExitStatus.of(.submitted, stages: []) == .ok)
    #expect(ExitStatus.of(.destroyed, stages: []) == .ok)
    #expect(ExitStatus.of(.cancelled, stages: []) == .cancelled)
    #expect(ExitStatus.of(.cancelling, stages: []) == .deploymentFailed)
    #expect(ExitStatus.of(.failed, stages: []) == .deploymentFailed, "no stage says why: the deployment")
    let unreachable = [
      Self.stage("a", .failed, .transport), Self.stage("b", .failed, .unauthorized), Self.stage("c", .succeeded),
    ]
    #expect(ExitStatus.of(.failed, stages: unreachable) == .authOrConnectivity)
    #expect(ExitStatus.of(.destroyFailed, stages: [Self.stage("a", .failed, .timeout)]) == .authOrConnectivity)
    let mixed = unreachable + [Self.stage("d", .failed, .deployment)]
    #expect(ExitStatus.of(.failed, stages: mixed) == .deploymentFailed)
    #expect(ExitStatus.of(.failed, stages: [Self.stage("a", .failed)]) == .deploymentFailed, "failed, no error")
  }

  @Test("an error that stopped a command: 4 for a lost lease, 2 for a run that is not ours to work on, else 3")
  func stoppedBy() {
    let run = RunID(rawValue: "r")
    #expect(ExitStatus.of(StateStoreError.leaseLost(run: run, owner: nil)) == .leaseLost)
    #expect(ExitStatus.of(StateStoreError.unknownRun(run)) == .usageOrValidation)
    #expect(ExitStatus.of(RunRefusal.notResumable(run, .destroyed)) == .usageOrValidation)
    #expect(ExitStatus.of(StateStoreError.closed) == .authOrConnectivity)
    struct Unexpected: Error {}
    #expect(ExitStatus.of(Unexpected()) == .authOrConnectivity)
    #expect(ExitStatus.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6, 7, 130])
  }
}
