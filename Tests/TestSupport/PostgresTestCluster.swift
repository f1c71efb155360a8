// TEMPORARY stub (replaced by the pg-fixture branch): the dev cluster on 55432.
import Foundation

public struct PostgresTestDatabase: Sendable {
  public let url: String
}

public struct PostgresTestCluster: Sendable {
  public static func shared() async throws -> PostgresTestCluster { PostgresTestCluster() }

  public func makeDatabase() async throws -> PostgresTestDatabase {
    let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
    process.arguments = [
      "-h", "127.0.0.1", "-p", "55432", "-U", "vra", "-d", "postgres", "-c", "CREATE DATABASE \(name)",
    ]
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return PostgresTestDatabase(url: "postgres://vra@127.0.0.1:55432/\(name)?sslmode=disable")
  }
}
