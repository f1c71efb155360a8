import Foundation
import Testing

@testable import TestSupport

/// The PostgreSQL fixture itself: one cluster per test process, fresh databases, the password
/// user's authentication, TLS with the throwaway CA.
@Suite struct PostgresTestClusterTests {
  @Test func sharedStartsOneClusterForEveryCaller() async throws {
    async let first = PostgresTestCluster.shared()
    async let second = PostgresTestCluster.shared()
    let (a, b) = try await (first, second)
    let c = try await PostgresTestCluster.shared()
    #expect(a === b)
    #expect(a === c)
    #expect(try await a.psql("SHOW port") == "\(a.port)")
    #expect(try await a.psql("SHOW max_connections") == "300")
    #expect(try await a.psql("SHOW ssl") == "on")
    #expect(try await a.psql("SHOW fsync") == "off")
    #expect(try await a.psql("SELECT current_user") == a.superuser)
  }

  @Test func databasesAreDistinctAndEmpty() async throws {
    let cluster = try await PostgresTestCluster.shared()
    // Made in parallel, as parallel tests make them.
    let databases = try await withThrowingTaskGroup(of: PostgresTestDatabase.self) { group in
      for _ in 0..<6 { group.addTask { try await cluster.makeDatabase() } }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(Set(databases.map(\.database)).count == 6)
    for database in databases {
      #expect(database.database.hasPrefix("vra_test_"))
      #expect(database.url == "postgres://vra@127.0.0.1:\(cluster.port)/\(database.database)")
      #expect(database.password == nil)
      let tables = "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
      #expect(try await cluster.psql(tables, database: database.database) == "0")
    }
    let (one, other) = (databases[0], databases[1])
    try await cluster.psql(
      "CREATE TABLE runs (id text PRIMARY KEY); INSERT INTO runs VALUES ('r1')", database: one.database)
    #expect(try await cluster.psql("SELECT id FROM runs", database: one.database) == "r1")
    #expect(try await cluster.psql("SELECT to_regclass('public.runs') IS NULL", database: other.database) == "t")
    // The URL is what a client is given: libpq connects with it as it is (trust, no password).
    let viaURL = try await cluster.runPSQL("SELECT current_database()", conninfo: one.url)
    #expect(viaURL.succeeded, "\(viaURL.errorOutput)")
    #expect(viaURL.output == one.database)
  }

  @Test func passwordUserMustGiveItsPassword() async throws {
    let cluster = try await PostgresTestCluster.shared()
    let database = try await cluster.makeDatabase(owner: .passwordUser)
    #expect(database.user == cluster.passwordUser)
    #expect(database.password == cluster.password)
    #expect(
      database.url
        == "postgres://\(cluster.passwordUser):\(cluster.password)@127.0.0.1:\(cluster.port)/\(database.database)")

    let plain = database.conninfo + " sslmode=disable"
    let withPassword = try await cluster.runPSQL(
      "CREATE TABLE leases (id int); SELECT current_user, count(*) FROM leases", conninfo: plain,
      password: cluster.password)
    #expect(withPassword.succeeded, "\(withPassword.errorOutput)")
    #expect(withPassword.output == "\(cluster.passwordUser)|0")
    let viaURL = try await cluster.runPSQL("SELECT current_user", conninfo: database.url)
    #expect(viaURL.output == cluster.passwordUser, "\(viaURL.errorOutput)")

    let without = try await cluster.runPSQL("SELECT 1", conninfo: plain)
    #expect(!without.succeeded)
    #expect(without.errorOutput.contains("no password supplied"), "\(without.errorOutput)")
    let wrong = try await cluster.runPSQL("SELECT 1", conninfo: plain, password: "not-" + cluster.password)
    #expect(!wrong.succeeded)
    #expect(wrong.errorOutput.contains("password authentication failed"), "\(wrong.errorOutput)")
    // Stored as a SCRAM verifier, not md5.
    let verifier = "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = '\(cluster.passwordUser)'"
    #expect(try await cluster.psql(verifier) == "t")
  }

  @Test func tlsVerifiesAgainstTheClusterCA() async throws {
    let cluster = try await PostgresTestCluster.shared()
    let database = try await cluster.makeDatabase(owner: .passwordUser)
    let usesTLS = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"

    // verify-full also checks that 127.0.0.1 is in the certificate's subjectAltName.
    let verified = try await cluster.runPSQL(
      usesTLS, conninfo: database.conninfo + " sslmode=verify-full sslrootcert=\(cluster.caCertificatePath)",
      password: cluster.password)
    #expect(verified.succeeded, "\(verified.errorOutput)")
    #expect(verified.output == "t")

    let plain = try await cluster.runPSQL(
      usesTLS, conninfo: database.conninfo + " sslmode=disable", password: cluster.password)
    #expect(plain.succeeded, "\(plain.errorOutput)")
    #expect(plain.output == "f")

    // Another CA's trust does not verify this server: the check is real.
    let stranger = try await TestCertificates.make()
    defer { stranger.remove() }
    let refused = try await cluster.runPSQL(
      usesTLS, conninfo: database.conninfo + " sslmode=verify-full sslrootcert=\(stranger.otherCACert)",
      password: cluster.password)
    #expect(!refused.succeeded)
    #expect(refused.errorOutput.contains("certificate verify failed"), "\(refused.errorOutput)")
  }

  /// Missing server binaries fail the tests with how to install them; they do not skip.
  @Test func missingBinariesFailWithAnInstallHint() throws {
    let error = #expect(throws: PostgresTestClusterError.self) {
      try PostgresBinaries.locate(searchPath: "/nonexistent", debian: "/nonexistent")
    }
    #expect(error?.description.contains("apt-get install postgresql") == true)
  }
}
