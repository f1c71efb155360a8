import Foundation
import Logging

/// Writes the simulator's state to its `--state` file, one write at a time (the file is replaced
/// atomically, and two writers at once would race on the temporary file), and only when the
/// state changed since the last write.
actor SnapshotWriter {
  private let services: SimulatorServices
  private let file: String
  private let logger: Logger
  private var savedRevision = -1

  init(services: SimulatorServices, file: String, logger: Logger) {
    self.services = services
    self.file = file
    self.logger = logger
  }

  /// Saves the state if it changed; logs (never throws) when the file cannot be written.
  func saveIfChanged() async {
    let revision = await services.state.revision
    guard revision != savedRevision else { return }
    do {
      try await save()
    } catch {
      logger.error("cannot write simulator state", metadata: ["file": "\(file)", "error": "\(error)"])
    }
  }

  /// Saves the state and the issued tokens (which do not count as a state change) now.
  func save() async throws {
    let revision = await services.state.revision
    let tokens = await services.tokens.snapshot()
    try await services.state.snapshot(tokens: tokens).write(to: file)
    savedRevision = revision
  }
}
