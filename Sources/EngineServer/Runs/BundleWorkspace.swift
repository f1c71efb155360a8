import Foundation

/// A submitted bundle's files written to a private directory for as long as a closure needs them
/// (the plan loader reads files), then removed. Every path is checked before anything is written:
/// relative, inside the bundle, within the server's limits.
struct BundleWorkspace {
  let limits: ServeConfiguration.Limits

  /// Refuses what cannot be accepted: too many or too large files, paths that are absolute or leave
  /// the bundle (`..`), empty or odd path segments, a file that is also the plan.
  func check(_ bundle: StoredBundle) throws(Problem) {
    var problems: [Problem.Item] = []
    if bundle.files.count + 1 > limits.maxFiles {
      problems.append(
        .init(field: "files", message: "\(bundle.files.count + 1) files; at most \(limits.maxFiles) are accepted"))
    }
    for (path, text) in [(bundle.planPath, bundle.plan)] + bundle.files.sorted(by: { $0.key < $1.key }) {
      let field = path == bundle.planPath ? "planPath" : "files"
      if let reason = Self.refusal(of: path) {
        problems.append(.init(file: path, field: field, message: reason))
      } else if text.utf8.count > limits.maxFileBytes {
        problems.append(
          .init(
            file: path, field: field == "planPath" ? "plan" : "files",
            message: "\(text.utf8.count) bytes; at most \(limits.maxFileBytes) per file"))
      }
    }
    if bundle.files[bundle.planPath] != nil {
      problems.append(.init(file: bundle.planPath, field: "files", message: "is also the plan (planPath)"))
    }
    guard problems.isEmpty else {
      throw Problem(.invalidBundle, detail: "\(problems.count) problem(s) with the bundle", errors: problems)
    }
  }

  /// Why `path` is not a bundle path, or nil.
  static func refusal(of path: String) -> String? {
    if path.isEmpty { return "empty path" }
    if path.utf8.count > 1024 { return "path longer than 1024 bytes" }
    if path.hasPrefix("/") || path.hasPrefix("~") { return "absolute path: bundle paths are relative to the plan" }
    if path.contains("\\") || path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
      return "backslash or control character in path"
    }
    for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
      switch segment {
      case "..": return "'..' leaves the bundle"
      case ".", "": return "empty or '.' path segment"
      default: continue
      }
    }
    return nil
  }

  /// Writes the bundle under a new directory in `parent` and runs `body` with the plan file's URL
  /// and the bundle's root; the directory is removed however `body` ends.
  func materialized<Result>(
    _ bundle: StoredBundle, in parent: URL, _ body: (_ planFile: URL, _ root: URL) async throws -> Result
  ) async throws -> Result {
    try check(bundle)
    let manager = FileManager.default
    let root = parent.appendingPathComponent("bundle-\(UUID().uuidString.lowercased())", isDirectory: true)
      .standardizedFileURL
    try manager.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    defer { try? manager.removeItem(at: root) }
    for (path, text) in [(bundle.planPath, bundle.plan)] + bundle.files.map({ ($0.key, $0.value) }) {
      let url = root.appendingPathComponent(path).standardizedFileURL
      guard url.path.hasPrefix(root.path + "/") else {
        throw Problem(.invalidBundle, errors: [.init(file: path, message: "leaves the bundle")])
      }
      do {
        try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: [.withoutOverwriting])
      } catch {
        // "a" and "a/b": one path is a file where another needs a directory.
        throw Problem(.invalidBundle, errors: [.init(file: path, message: "conflicts with another path of the bundle")])
      }
    }
    return try await body(root.appendingPathComponent(bundle.planPath).standardizedFileURL, root)
  }
}
