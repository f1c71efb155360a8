import Foundation
import RunState
import Synchronization
import Testing

@testable import Engine
@testable import RunState

@Suite struct MigrationTests {
  @Test func migratesAnEmptyFileAndCreatesItsDirectory() async throws {
    try await withStateFile { path in
      #expect(!FileManager.default.fileExists(atPath: path))
      let store = try await SQLStateStore.openSQLite(at: path)
      #expect(FileManager.default.fileExists(atPath: path))
      // WAL mode: the write-ahead log sits beside the file while a connection is open.
      let run = try await store.makeRun()
      #expect(FileManager.default.fileExists(atPath: path + "-wal"))
      #expect(try await store.run(run.id) == run)
      #expect(try await store.stages(of: run.id).map(\.name) == ["network", "db", "app"])
      try await store.close()
    }
  }

  @Test func reopeningRunsNoMigrationTwiceAndKeepsData() async throws {
    let applied = Mutex(0)
    let counting = StateMigration(version: 3, name: "counting") { db in
      applied.withLock { $0 += 1 }
      try await db.create(table: "counting_probe").column("id", type: .int).run()
    }
    try await withStateFile { path in
      let first = try await SQLStateStore.openSQLite(
        at: path, migrations: [.initialSchema, .ownershipAndTarget, counting])
      let run = try await first.makeRun()
      try await first.close()
      for _ in 0..<3 {
        let again = try await SQLStateStore.openSQLite(
          at: path, migrations: [.initialSchema, .ownershipAndTarget, counting])
        #expect(try await again.run(run.id) == run)
        try await again.close()
      }
      #expect(applied.withLock { $0 } == 1)
    }
  }

  @Test func aFailingMigrationLeavesNoTraceAndIsRetriedNextOpen() async throws {
    let shouldFail = Mutex(true)
    let flaky = StateMigration(version: 3, name: "flaky") { db in
      try await db.create(table: "flaky_probe").column("id", type: .int).run()
      if shouldFail.withLock({ $0 }) { throw InjectedFault() }
    }
    try await withStateFile { path in
      await #expect(throws: StateStoreError.self) {
        _ = try await SQLStateStore.openSQLite(at: path, migrations: [.initialSchema, .ownershipAndTarget, flaky])
      }
      shouldFail.withLock { $0 = false }
      // The half-applied version 3 (its table) was rolled back, so applying it again succeeds.
      let store = try await SQLStateStore.openSQLite(
        at: path, migrations: [.initialSchema, .ownershipAndTarget, flaky])
      try await store.close()
    }
  }

  @Test func refusesASchemaFromANewerBuild() async throws {
    let futureVersion = StateMigration.latestVersion + 1
    let future = StateMigration(version: futureVersion, name: "from the future") { db in
      try await db.create(table: "future_probe").column("id", type: .int).run()
    }
    try await withStateFile { path in
      let newer = try await SQLStateStore.openSQLite(at: path, migrations: [.initialSchema, future])
      try await newer.close()
      let error = await #expect(throws: StateStoreError.self) {
        _ = try await SQLStateStore.openSQLite(at: path)
      }
      #expect(error == .schemaTooNew(found: futureVersion, supported: StateMigration.latestVersion))
      #expect(error?.description.contains("Upgrade vra-engine") == true)
    }
  }
}
