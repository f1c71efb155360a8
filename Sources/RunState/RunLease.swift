import Foundation

/// Who works on a run: one process (or `serve` replica) at a time holds its lease.
///
/// Every write of the run checks the lease's `epoch` inside its transaction (fencing): a process
/// whose lease was taken over cannot write any more, whatever it still believes. Others do not
/// act on a leased run; they leave a cancel request in the store, which the owner carries out.
public struct RunLease: Sendable, Hashable, Codable {
  public var runId: RunID
  public var owner: LeaseOwner
  /// Increased by every acquisition; the fence every write of the run checks.
  public var epoch: Int64
  public var expiresAt: Date

  public init(runId: RunID, owner: LeaseOwner, epoch: Int64, expiresAt: Date) {
    self.runId = runId
    self.owner = owner
    self.epoch = epoch
    self.expiresAt = expiresAt
  }
}

/// A lease holder: a random id per store instance, with the host and pid a person can look for.
public struct LeaseOwner: Sendable, Hashable, Codable, CustomStringConvertible {
  public var id: String
  public var host: String
  public var pid: Int32
  /// Which process table `pid` is in: this boot of the machine and its pid namespace (containers
  /// sharing a host name have their own). Nil in leases written by older builds.
  public var processTable: String?

  public init(id: String, host: String, pid: Int32, processTable: String? = nil) {
    self.id = id
    self.host = host
    self.pid = pid
    self.processTable = processTable
  }

  /// This process, with a fresh id.
  public static func current() -> LeaseOwner {
    LeaseOwner(
      id: UUID().uuidString.lowercased(), host: ProcessInfo.processInfo.hostName,
      pid: ProcessInfo.processInfo.processIdentifier, processTable: thisProcessTable)
  }

  /// `<boot id>/<pid namespace>` on Linux; nil where neither can be read.
  static let thisProcessTable: String? = {
    let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")
    guard let boot, let namespace else { return nil }
    return "\(boot)/\(namespace)"
  }()

  public var description: String { "pid \(pid) on \(host)" }

  /// True when the owner is provably gone: a process of this host, in this process table, that no
  /// longer exists. Another host's owner (or one in another container with the same host name) is
  /// never known to be dead; its lease has to expire.
  public var isKnownDead: Bool {
    guard host == ProcessInfo.processInfo.hostName, pid > 0 else { return false }
    if let processTable, processTable != Self.thisProcessTable { return false }
    if pid == ProcessInfo.processInfo.processIdentifier { return false }
    return kill(pid, 0) != 0 && errno == ESRCH
  }
}

/// How `acquireLease` treats a lease another owner holds.
public enum LeaseAcquisition: Sendable, Hashable {
  /// Take a free lease, or one whose owner is provably dead (a killed process on this host).
  case ifFree
  /// Also take a lease that expired (its owner may be stalled: its writes will fail on the epoch).
  case takeover
}

/// What a lease holder learns when it renews: whether somebody asked to cancel the run.
public struct LeaseRenewal: Sendable, Hashable {
  public var lease: RunLease
  public var cancelRequested: Bool

  public init(lease: RunLease, cancelRequested: Bool) {
    self.lease = lease
    self.cancelRequested = cancelRequested
  }
}
