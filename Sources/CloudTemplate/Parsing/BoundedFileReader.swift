import Foundation

/// Reads a file the tools were pointed at (a template, a plan, an inputs or config file) without
/// ever reading more than the size limit allows, and says in a few words why it cannot when it
/// cannot: "no such file", "is a directory", "permission denied", never Foundation's "The
/// operation could not be completed".
public enum BoundedFileReader {
  /// Why a file could not be read.
  public struct Unreadable: Error, Sendable, Hashable, CustomStringConvertible {
    /// "no such file", "is a directory", "permission denied", or the system's reason.
    public var reason: String
    public var description: String { reason }
  }

  /// The file's first `maxBytes + 1` bytes (one more than allowed, so a caller can tell "too large").
  public static func read(_ url: URL, maxBytes: Int) throws(Unreadable) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw Unreadable(reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw Unreadable(reason: "is a directory") }
    do {
      let handle = try FileHandle(forReadingFrom: url)
      defer { try? handle.close() }
      return try handle.read(upToCount: maxBytes + 1) ?? Data()
    } catch {
      guard FileManager.default.isReadableFile(atPath: url.path) else { throw Unreadable(reason: "permission denied") }
      let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
      if let underlying, underlying.domain == NSPOSIXErrorDomain, let message = strerror(Int32(underlying.code)) {
        throw Unreadable(reason: String(cString: message).lowercased())
      }
      throw Unreadable(reason: "cannot be read")
    }
  }

  /// The diagnostic for a file that cannot be read: no position (the file as a whole).
  static func diagnostic(_ failure: Unreadable, fileName: String) -> TemplateDiagnostic {
    TemplateDiagnostic(
      severity: .error, code: .fileUnreadable, message: failure.reason, file: fileName, location: .wholeFile, path: "")
  }
}
