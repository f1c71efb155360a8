import Foundation

/// A fingerprint of a plan file, stored with each run so `--resume` can warn that the plan changed.
///
/// FNV-1a (64 bit), by hand: it detects edits, it is not a security boundary, and a cryptographic
/// hash would be the only reason to add a crypto dependency to the engine.
public enum PlanDigest {
  public static func of(file path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { return "unreadable" }
    return of(data)
  }

  public static func of(_ data: Data) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01b3
    }
    return String(format: "fnv1a64:%016llx", hash)
  }
}
