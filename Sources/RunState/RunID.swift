import Foundation

/// The identity of one `apply` run: what `--resume`, `cancel`, `destroy` and `${run.id}` name.
///
/// Short (8 lowercase hex characters) because it ends up inside deployment names, which vRA
/// shows in its UI; random enough that two runs of one plan in one org do not collide.
public struct RunID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
  public let rawValue: String

  public init(rawValue: String) { self.rawValue = rawValue }

  /// A new random id.
  public static func generate() -> RunID {
    var generator = SystemRandomNumberGenerator()
    return RunID(rawValue: String(format: "%08x", UInt32.random(in: .min ... .max, using: &generator)))
  }

  public var description: String { rawValue }

  public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }
}
