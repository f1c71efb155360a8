import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

/// One run of a shell command (`/bin/sh -c RUN`) in the plan's directory: passes when it exits 0.
/// It runs in a process group of its own, so at its timeout or a cancel the whole group (a script
/// and what it started) gets SIGTERM, then SIGKILL.
struct CommandProbe: Sendable {
  var run: String
  /// Added to the engine's own environment: the check's `env` and the stage's secrets.
  var environment: [String: String]
  var directory: URL

  /// The tail of the output kept for the report.
  static let outputLimit = 16 * 1024
  /// How long a command has to end after SIGTERM before SIGKILL.
  static let gracePeriod = Duration.seconds(3)

  func attempt(timeout: Duration) async throws -> ProbeResult {
    let capture = FileManager.default.temporaryDirectory
      .appendingPathComponent("vra-engine-check-\(UUID().uuidString).log")
    let descriptor: FileDescriptor
    do {
      descriptor = try FileDescriptor.open(
        FilePath(capture.path), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
    } catch {
      return ProbeResult(passed: false, summary: "could not create a file for the command's output: \(error)")
    }
    defer { try? FileManager.default.removeItem(at: capture) }
    let options = Self.platformOptions
    let overrides: [Environment.Key: String?] = environment.reduce(into: [:]) { overrides, pair in
      if let key = Environment.Key(rawValue: pair.key) { overrides[key] = pair.value }
    }
    let outcome: Outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
      group.addTask {
        let result = try await Subprocess.run(
          .path(FilePath("/bin/sh")), arguments: ["-c", run], environment: .inherit.updating(overrides),
          workingDirectory: FilePath(directory.path), platformOptions: options,
          output: .fileDescriptor(descriptor, closeAfterSpawningProcess: true),
          error: .combinedWithOutput)
        return .ended(result.terminationStatus)
      }
      group.addTask {
        try await Task.sleep(for: timeout)
        return .timedOut
      }
      defer { group.cancelAll() }
      guard let first = try await group.next() else { throw CancellationError() }
      if case .timedOut = first {
        // Cancelling the run's task tears the process group down; wait until it is gone.
        group.cancelAll()
        _ = try? await group.next()
      }
      return first
    }
    let output = Self.tail(of: capture)
    switch outcome {
    case .timedOut:
      // The last attempt is cut to what is left of the check's timeout (999 ms of 1 s): shown in tenths.
      let shown = Duration.milliseconds((timeout.milliseconds + 50) / 100 * 100)
      return ProbeResult(
        passed: false, summary: "did not end within \(PlanDurationParser.text(shown)) (stopped)", output: output)
    case .ended(.exited(let code)):
      return ProbeResult(
        passed: code == 0, summary: code == 0 ? "exit status 0" : "exit status \(code)", code: Int(code),
        output: output)
    case .ended(let status):
      return ProbeResult(passed: false, summary: "ended by \(status)", output: output)
    }
  }

  /// A process group of its own, torn down whole: SIGTERM, then SIGKILL after `gracePeriod`.
  private static var platformOptions: PlatformOptions {
    var options = PlatformOptions()
    options.processGroupID = 0
    options.teardownSequence = [
      .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: gracePeriod)
    ]
    return options
  }

  private enum Outcome: Sendable {
    case ended(TerminationStatus)
    case timedOut
  }

  /// The last `outputLimit` bytes the command wrote, cut at a line start when possible.
  static func tail(of file: URL) -> String? {
    guard let handle = try? FileHandle(forReadingFrom: file) else { return nil }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()) ?? 0
    let start = size > UInt64(outputLimit) ? size - UInt64(outputLimit) : 0
    try? handle.seek(toOffset: start)
    guard let data = try? handle.readToEnd(), !data.isEmpty else { return nil }
    var text = String(decoding: data, as: UTF8.self)
    if start > 0, let newline = text.firstIndex(of: "\n") { text = "…" + text[text.index(after: newline)...] }
    return text
  }
}
