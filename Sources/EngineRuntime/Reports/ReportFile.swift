import Foundation

/// Writes CI reports so a reader never sees half a file: the text goes to a temporary file beside
/// the target, which is then renamed over it (one `rename(2)`: the old report or the new one, never
/// a mix). The directory is created when missing.
public enum ReportFile {
  public static func write(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
    do {
      try Data(text.utf8).write(to: temporary)
      guard rename(temporary.path, url.path) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    }
  }

  /// Appends `text` to the file at `path` (GitHub's `$GITHUB_STEP_SUMMARY`, which other steps write
  /// to as well), creating it when missing.
  public static func append(_ text: String, to path: String) throws {
    if !FileManager.default.fileExists(atPath: path) {
      FileManager.default.createFile(atPath: path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
  }
}
