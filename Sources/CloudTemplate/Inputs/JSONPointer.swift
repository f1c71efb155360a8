import Foundation

/// RFC 6901 JSON pointers, the path format of every violation and diagnostic.
public enum JSONPointer {
  /// Escapes one reference token (`~` → `~0`, `/` → `~1`).
  public static func escape(_ token: String) -> String {
    // Byte test: `String.contains(String)` goes through Foundation's search, and this runs for every node.
    guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
    return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
  }

  public static func appending(_ token: String, to pointer: String) -> String {
    pointer + "/" + escape(token)
  }

  public static func appending(_ index: Int, to pointer: String) -> String {
    pointer + "/" + String(index)
  }
}
