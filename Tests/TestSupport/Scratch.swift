import Foundation

/// Unique temporary files for one test.
public enum Scratch {
  public static func directory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "vra-engine-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Writes `text` to a new file named `name` (in a new directory) and returns its path.
  public static func file(_ name: String, _ text: String) throws -> String {
    let url = try directory().appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
  }
}
