import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// `--state FILE`: records, pending work and refresh tokens survive a restart.
@Suite struct PersistenceTests {
  @Test func stateSurvivesARestartAndPendingWorkContinues() async throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    let configure: @Sendable (inout SimulatorConfiguration) -> Void = {
      $0.stateFile = file
      $0.timeScale = 0.05
    }
    let (deploymentId, refresh) = try await SimulatorHarness.with(configure) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "kept", content: SampleTemplates.single)
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "survivor")
      return (try #require(order.deploymentId), session.refreshToken)
    }
    #expect(FileManager.default.fileExists(atPath: file))

    try await SimulatorHarness.with(configure) { harness in
      let exchange = try await harness.http.call(.POST, "/iaas/api/login", json: ["refreshToken": .string(refresh)])
      #expect(exchange.status == 200, "the refresh token from before the restart still works")
      let session = try await SimulatorSession.start(harness)
      let blueprints = try await session.get("/blueprint/api/blueprints").decode(Page<Blueprint>.self)
      #expect(blueprints.content.map(\.name) == ["kept"])
      let deployment = try await session.waitForDeployment(deploymentId)
      #expect(deployment.status == .createSuccessful, "the request in flight at the restart finishes")
    }
  }

  @Test func corruptStateFileIsAClearError() async throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    try Data("{not json".utf8).write(to: URL(fileURLWithPath: file))
    await #expect(throws: (any Error).self) {
      _ = try await SimulatorHarness.start { $0.stateFile = file }
    }
    #expect(try String(contentsOfFile: file, encoding: .utf8) == "{not json", "a bad state file is never overwritten")
  }
}
