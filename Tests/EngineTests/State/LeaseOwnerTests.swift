import Foundation
import RunState
import Testing

/// When a lease's owner is known to be gone without waiting for the lease to expire.
@Suite struct LeaseOwnerTests {
  /// A pid that no process has now (taken from a child that exited).
  private func deadPid() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
  }

  @Test func aDeadProcessIsKnownDeadOnlyInThisProcessTable() throws {
    let me = LeaseOwner.current()
    let pid = try deadPid()
    let gone = LeaseOwner(id: "a", host: me.host, pid: pid, processTable: me.processTable)
    #expect(gone.isKnownDead)
    // Another container with the same host name: its pids are not ours to look up.
    let elsewhere = LeaseOwner(id: "b", host: me.host, pid: pid, processTable: "other-boot/pid:[1]")
    #expect(!elsewhere.isKnownDead)
    let otherHost = LeaseOwner(id: "c", host: me.host + "-other", pid: pid, processTable: me.processTable)
    #expect(!otherHost.isKnownDead)
    #expect(!me.isKnownDead)
  }

  @Test func anOwnerWrittenByAnOlderBuildDecodes() throws {
    let old = #"{"id":"x","host":"h","pid":12}"#
    let owner = try JSONDecoder().decode(LeaseOwner.self, from: Data(old.utf8))
    #expect(owner.processTable == nil)
  }
}
