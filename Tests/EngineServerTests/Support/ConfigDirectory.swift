import Foundation
import TestSupport

/// A directory holding a serve.yaml and the files it names, on disk.
struct ConfigDirectory {
  let directory: URL

  init() throws {
    directory = try Scratch.directory()
  }

  var configPath: String { directory.appendingPathComponent("serve.yaml").path }

  /// Writes `text` as serve.yaml (atomically, as editors do) and returns its path.
  @discardableResult
  func writeConfig(_ text: String) throws -> String {
    try write("serve.yaml", text)
  }

  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    let url = directory.appendingPathComponent(name)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url, options: .atomic)
    return url.path
  }

  func path(_ name: String) -> String { directory.appendingPathComponent(name).standardizedFileURL.path }
}
