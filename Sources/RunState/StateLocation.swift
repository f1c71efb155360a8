import Foundation

/// Where a project's state database is when no `--state` or `state.url` says: in the nearest
/// `.vra-engine/` directory at or above the current directory, the way git finds `.git`, so
/// `vra-engine runs show RUN` from a subdirectory of the project reads the project's runs.
public enum StateLocation {
  /// The directory `SQLStateStore.defaultPath` lives in.
  public static let directoryName = ".vra-engine"

  /// `<dir>/.vra-engine/state.db` for the nearest of `directory` and its parents that has a
  /// `.vra-engine/` directory; nil when none has (then `SQLStateStore.defaultPath`, created in the
  /// current directory, is the place). The search stops below the filesystem root, and at `home`
  /// when `directory` is inside it (never looking in the directory that holds every user's home).
  public static func discover(
    from directory: String, home: String? = ProcessInfo.processInfo.environment["HOME"]
  ) -> String? {
    let start = URL(fileURLWithPath: directory).standardizedFileURL
    let homePath = home.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0).standardizedFileURL.path }
    let insideHome = homePath.map { start.path == $0 || start.path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    var candidate = start
    while candidate.path != "/" {
      var isDirectory: ObjCBool = false
      let state = candidate.appendingPathComponent(directoryName)
      if FileManager.default.fileExists(atPath: state.path, isDirectory: &isDirectory), isDirectory.boolValue {
        return state.appendingPathComponent("state.db").path
      }
      if insideHome == true, candidate.path == homePath { return nil }
      candidate.deleteLastPathComponent()
    }
    return nil
  }
}
