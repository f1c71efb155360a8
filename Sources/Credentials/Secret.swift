/// A credential (password, token) that must never reach a log, an error message or a dump.
///
/// Printing, interpolating, dumping or mirroring a `Secret` shows `<redacted>`; the value
/// is only reachable through `exposed`, which makes every read of it visible in review.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable, ExpressibleByStringLiteral
{
  public let exposed: String

  public init(_ value: String) { self.exposed = value }
  public init(stringLiteral value: String) { self.exposed = value }

  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
  public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
  public var isEmpty: Bool { exposed.isEmpty }

  /// A short, stable, non-reversible tag for telling two secrets apart in a cache key
  /// (FNV-1a, 32 bits: enough to separate principals, far too short to recover anything).
  package var fingerprint: String {
    var hash: UInt32 = 0x811c_9dc5
    for byte in exposed.utf8 {
      hash ^= UInt32(byte)
      hash &*= 0x0100_0193
    }
    return String(hash, radix: 16)
  }
}
