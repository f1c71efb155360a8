import Foundation
import Testing

/// The built `vra-engine` executable, for the tests that need a real separate process: killed with
/// SIGKILL, interrupted with SIGINT, two processes sharing one state, the simulator as a user runs
/// it. Everything else runs in-process (`Tests/VRAEngineCLITests/CLIHarness`).
public enum VRAEngineBinary {
  /// Next to the test bundle (`swift build --build-tests` builds both into one directory, whatever
  /// `--scratch-path`), else `.build/debug/vra-engine` of this checkout.
  public static var url: URL {
    get throws {
      var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      for _ in 0..<3 {
        let candidate = directory.appendingPathComponent("vra-engine")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory.deleteLastPathComponent()
      }
      let fallback = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the checkout
        .appendingPathComponent(".build/debug/vra-engine")
      try #require(FileManager.default.isExecutableFile(atPath: fallback.path), "build vra-engine first")
      return fallback
    }
  }
}
