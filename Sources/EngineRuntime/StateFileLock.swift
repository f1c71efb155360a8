import Foundation

/// An exclusive advisory lock (`flock`) on a file, held by this process until released or until it
/// dies (the kernel drops it, so a SIGKILLed process never leaves a stale lock behind).
/// Hand-written: Foundation has no file lock, and this is the few lines of POSIX it takes.
final class StateFileLock: Sendable {
  private let descriptor: Int32

  private init(descriptor: Int32) { self.descriptor = descriptor }

  struct Busy: Error, CustomStringConvertible {
    var path: String
    var description: String {
      "the embedded simulator's state (\(path.replacingOccurrences(of: ".lock", with: ""))) is in use by another "
        + "vra-engine process; wait for it to end, `vra-engine cancel RUN_ID` it, or run `vra-engine simulator` "
        + "and set VRA_URL so that several commands can share one simulator"
    }
  }

  static func acquire(_ path: String) throws -> StateFileLock {
    try FileManager.default.createDirectory(
      at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
    let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      close(descriptor)
      throw Busy(path: path)
    }
    return StateFileLock(descriptor: descriptor)
  }

  func release() {
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
