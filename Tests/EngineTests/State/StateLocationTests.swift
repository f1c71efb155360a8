import Foundation
import RunState
import Testing

/// `StateLocation.discover(from:)`: the project's `.vra-engine/` found upward, the way git finds `.git`.
@Suite struct StateLocationTests {
  /// A temporary tree: `root/home/user/project/sub/deeper`, nothing in it yet.
  struct Tree {
    let root: URL
    var home: URL { root.appendingPathComponent("home/user") }
    var project: URL { home.appendingPathComponent("project") }
    var deeper: URL { project.appendingPathComponent("sub/deeper") }

    init() throws {
      root = FileManager.default.temporaryDirectory.appendingPathComponent("state-location-\(UUID().uuidString)")
      try FileManager.default.createDirectory(
        at: root.appendingPathComponent("home/user/project/sub/deeper"), withIntermediateDirectories: true)
    }

    func mark(_ directory: URL) throws {
      try FileManager.default.createDirectory(
        at: directory.appendingPathComponent(".vra-engine"), withIntermediateDirectories: true)
    }
  }

  @Test func theNearestVraEngineDirectoryAtOrAboveWins() throws {
    let tree = try Tree()
    defer { try? FileManager.default.removeItem(at: tree.root) }
    #expect(StateLocation.discover(from: tree.deeper.path, home: tree.home.path) == nil)
    try tree.mark(tree.project)
    let projectState = tree.project.appendingPathComponent(".vra-engine/state.db").path
    #expect(StateLocation.discover(from: tree.deeper.path, home: tree.home.path) == projectState)
    #expect(StateLocation.discover(from: tree.project.path, home: tree.home.path) == projectState)
    #expect(
      StateLocation.discover(from: tree.project.path + "/sub/../sub/deeper/", home: tree.home.path) == projectState)
    try tree.mark(tree.deeper.deletingLastPathComponent())
    #expect(
      StateLocation.discover(from: tree.deeper.path, home: tree.home.path)
        == tree.project.appendingPathComponent("sub/.vra-engine/state.db").path, "the nearest one")
  }

  @Test func theSearchStopsAtHomeAndIgnoresAFileOfThatName() throws {
    let tree = try Tree()
    defer { try? FileManager.default.removeItem(at: tree.root) }
    // Above home (the directory of every user's home): never looked at from inside home.
    try tree.mark(tree.home.deletingLastPathComponent())
    #expect(StateLocation.discover(from: tree.deeper.path, home: tree.home.path) == nil)
    // Home itself is a project like any other.
    try tree.mark(tree.home)
    #expect(
      StateLocation.discover(from: tree.deeper.path, home: tree.home.path)
        == tree.home.appendingPathComponent(".vra-engine/state.db").path)
    // Outside home the search goes on up (to below the filesystem root).
    #expect(
      StateLocation.discover(from: tree.deeper.path, home: "/nonexistent-home")
        == tree.home.appendingPathComponent(".vra-engine/state.db").path)
    // A plain file named .vra-engine is not a state directory.
    try Data().write(to: tree.deeper.appendingPathComponent(".vra-engine"))
    #expect(
      StateLocation.discover(from: tree.deeper.path, home: tree.home.path)
        == tree.home.appendingPathComponent(".vra-engine/state.db").path)
  }
}
