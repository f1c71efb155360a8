import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A real, throwaway PostgreSQL cluster for the tests: one per test process, started on first use
/// (`shared()`), listening on 127.0.0.1 at a free port, with TLS on and fsync off. Tests take a
/// fresh, empty database each (`makeDatabase()`), so they run side by side.
///
/// The server binaries (`initdb`, `pg_ctl`, `postgres`) are taken from PATH, else from the highest
/// `/usr/lib/postgresql/*/bin` (Debian's `postgresql` package); without them the tests fail, they
/// do not skip. As root (CI), the server runs as the `postgres` user, since PostgreSQL refuses root.
///
/// Swift Testing has no global teardown, so the cluster stops itself: a detached watchdog holds the
/// read end of a pipe whose only write end this process keeps open; when the process ends, however
/// it ends, the watchdog reads end-of-file, stops the server (`pg_ctl -m immediate stop`) and removes
/// the cluster's directory.
///
/// Authentication (pg_hba.conf): the superuser (`superuser`) and any other role are trusted on
/// 127.0.0.1 (TCP, with or without TLS); `passwordUser` must give `password` (scram-sha-256).
public final class PostgresTestCluster: Sendable {
  /// Always 127.0.0.1 (the server listens there only).
  public let host = "127.0.0.1"
  public let port: Int
  /// The superuser made by initdb; trusted, no password.
  public let superuser = "vra"
  /// A login role that must authenticate with `password` (scram-sha-256).
  public let passwordUser = "vra_password_user"
  public let password: String
  /// The throwaway CA that signed the server's certificate (SAN IP:127.0.0.1, DNS:localhost), for
  /// `sslmode=verify-full sslrootcert=…`.
  public let caCertificatePath: String
  /// The cluster's temporary directory: `data/`, `server.log`, the certificates, the Unix socket.
  public let directory: URL
  public var logPath: String { directory.appendingPathComponent("server.log").path }
  /// The `bin` directory the server binaries were taken from.
  public let binDirectory: URL
  private let psqlExecutable: URL
  /// The write end of the watchdog's pipe: open until this process ends (never closed).
  private let watchdogPipe: Int32

  private init(
    port: Int, password: String, caCertificatePath: String, directory: URL, binDirectory: URL, psqlExecutable: URL,
    watchdogPipe: Int32
  ) {
    self.port = port
    self.password = password
    self.caCertificatePath = caCertificatePath
    self.directory = directory
    self.binDirectory = binDirectory
    self.psqlExecutable = psqlExecutable
    self.watchdogPipe = watchdogPipe
  }

  /// The cluster of this test process: started by the first caller, the same one for every caller
  /// after (callers arriving while it starts wait for it). A failed start fails every caller with
  /// the same error.
  public static func shared() async throws -> PostgresTestCluster {
    try await startup.value
  }

  // A global's initializer runs once, on first use, whichever thread gets there first.
  private static let startup = Task { try await PostgresTestCluster.start() }

  // MARK: - Databases and SQL

  /// A new, empty database with a unique name (`vra_test_<random>`), owned by `owner`.
  public func makeDatabase(owner: PostgresTestDatabase.Owner = .superuser) async throws -> PostgresTestDatabase {
    let name = "vra_test_" + Self.randomHex(16)
    let role = owner == .superuser ? superuser : passwordUser
    _ = try await psql("CREATE DATABASE \(name) OWNER \(role)")
    return PostgresTestDatabase(
      host: host, port: port, user: role, password: owner == .superuser ? nil : password, database: name)
  }

  /// Runs `sql` as the superuser in `database` (plain TCP) and returns what psql printed: unaligned,
  /// tuples only, fields separated by `|`, one row a line, without the last newline. Throws when
  /// psql fails (connection refused, an SQL error; the first error stops the rest).
  @discardableResult
  public func psql(_ sql: String, database: String = "postgres") async throws -> String {
    let conninfo =
      "host=\(host) port=\(port) user=\(superuser) dbname=\(Self.conninfoQuoted(database)) sslmode=disable"
    let result = try await runPSQL(sql, conninfo: conninfo)
    guard result.status == 0 else {
      throw PostgresTestClusterError("psql in \(database) failed (\(result.status)): \(result.errorOutput)")
    }
    return result.output
  }

  /// Runs `sql` with psql on any libpq connection string (`host=… sslmode=verify-full …`), with
  /// `password` in PGPASSWORD when given (psql never prompts), and returns how it ended instead of
  /// throwing: for tests of what the server accepts and refuses.
  public func runPSQL(_ sql: String, conninfo: String, password: String? = nil) async throws -> PSQLResult {
    var environment: [String: String] = [:]
    if let password { environment["PGPASSWORD"] = password }
    let result = try await Self.runTool(
      psqlExecutable, ["-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql],
      directory: directory, environment: environment, timeout: .seconds(60))
    var output = result.output
    if output.hasSuffix("\n") { output.removeLast() }
    return PSQLResult(status: result.status, output: output, errorOutput: result.errorOutput)
  }

  /// How a psql run ended.
  public struct PSQLResult: Sendable {
    public let status: Int32
    /// Standard output, without the last newline.
    public let output: String
    public let errorOutput: String
    public var succeeded: Bool { status == 0 }
  }

  // MARK: - Starting

  private static func start() async throws -> PostgresTestCluster {
    let binaries = try PostgresBinaries.locate()
    let account = try ServerAccount.forThisProcess()
    // Short: the Unix socket's path (directory + "/.s.PGSQL.<port>") must stay under ~100 bytes.
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vra-pg-" + randomHex(10))
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try account?.own(directory.path)
    // From here on, however the start ends, the directory goes when this process does.
    let watchdogPipe = try await startWatchdog(directory: directory, binaries: binaries, account: account)
    if let account, !(try await account.canEnter(directory)) {
      throw PostgresTestClusterError(
        "the `\(account.name)` user cannot reach \(directory.path) (a parent directory is closed to it): "
          + "set TMPDIR to a directory it can enter, e.g. TMPDIR=/tmp")
    }

    // The certificates are made while initdb runs.
    async let certificates = TestCertificates.make()
    let data = directory.appendingPathComponent("data")
    let initdb = try await runTool(
      binaries.initdb,
      ["-D", data.path, "--auth=trust", "-U", "vra", "--encoding=UTF8", "--locale=C", "--no-sync"],
      as: account, directory: directory, timeout: .seconds(120))
    guard initdb.status == 0 else {
      throw PostgresTestClusterError("initdb failed (\(initdb.status)): \(initdb.output)\(initdb.errorOutput)")
    }
    let made = try await certificates
    let ca = directory.appendingPathComponent("ca.pem").path
    let certificate = directory.appendingPathComponent("server.pem").path
    let key = directory.appendingPathComponent("server.key").path
    for (from, to) in [(made.caCert, ca), (made.serverCert, certificate), (made.serverKey, key)] {
      try FileManager.default.copyItem(atPath: from, toPath: to)
      try account?.own(to)
    }
    made.remove()
    // PostgreSQL refuses a key others can read.
    guard chmod(key, 0o600) == 0 else { throw PostgresTestClusterError("chmod 600 \(key) failed") }

    // The password user's line must come before the trust line: the first matching line decides.
    try rewrite(
      data.appendingPathComponent("pg_hba.conf").path,
      """
      # TYPE  DATABASE  USER               ADDRESS        METHOD
      local   all       all                                trust
      host    all       vra_password_user  127.0.0.1/32   scram-sha-256
      host    all       all                127.0.0.1/32   trust

      """)
    let postgresqlConf = data.appendingPathComponent("postgresql.conf").path
    let conf = try String(contentsOfFile: postgresqlConf, encoding: .utf8)
    try rewrite(postgresqlConf, conf + "\ninclude 'vra-test.conf'\n")

    var lastFailure = "no attempt"
    for _ in 0..<3 {
      let port = try freePort()
      try write(
        data.appendingPathComponent("vra-test.conf").path,
        """
        listen_addresses = '127.0.0.1'
        port = \(port)
        unix_socket_directories = '\(confQuoted(directory.path))'
        max_connections = 300
        fsync = off
        synchronous_commit = off
        full_page_writes = off
        password_encryption = 'scram-sha-256'
        ssl = on
        ssl_cert_file = '\(confQuoted(certificate))'
        ssl_key_file = '\(confQuoted(key))'

        """, account: account)
      let log = directory.appendingPathComponent("server.log").path
      let started = try await runTool(
        binaries.pgCtl, ["-D", data.path, "-l", log, "-w", "-t", "60", "start"], as: account, directory: directory,
        leavesProcesses: true, timeout: .seconds(90))
      if started.status == 0 {
        let password = randomHex(24)
        let cluster = PostgresTestCluster(
          port: port, password: password, caCertificatePath: ca, directory: directory, binDirectory: binaries.directory,
          psqlExecutable: binaries.psql, watchdogPipe: watchdogPipe)
        do {
          try await cluster.psql("CREATE ROLE vra_password_user LOGIN PASSWORD '\(password)'")
        } catch {
          throw PostgresTestClusterError("\(error)\nserver log:\n\(logTail(log))")
        }
        return cluster
      }
      lastFailure = "pg_ctl start exited with \(started.status): \(started.errorOutput)\nserver log:\n\(logTail(log))"
      // It may be up after all (pg_ctl gave up waiting): stop it before the next port.
      _ = try? await runTool(
        binaries.pgCtl, ["-D", data.path, "-m", "immediate", "-w", "-t", "30", "stop"], as: account,
        directory: directory, timeout: .seconds(45))
    }
    throw PostgresTestClusterError("PostgreSQL did not start (3 attempts) in \(directory.path): \(lastFailure)")
  }

  /// Starts the detached watchdog (see the type's comment) and returns the pipe's write end.
  private static func startWatchdog(
    directory: URL, binaries: PostgresBinaries, account: ServerAccount?
  ) async throws -> Int32 {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw PostgresTestClusterError("pipe() failed") }
    // No other child may hold the write end, or the watchdog would wait for that child too:
    // close-on-exec (Foundation's Process also closes every descriptor but 0, 1 and 2 in a child).
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    let readEnd = FileHandle(fileDescriptor: ends[0], closeOnDealloc: false)
    defer { close(ends[0]) }
    // `cat` returns at end-of-file: when this process has ended, whichever way.
    let script = """
      exec >/dev/null 2>&1
      trap '' HUP INT
      dir=$1; data=$2; shift 2
      cat
      "$@" -D "$data" -m immediate -w -t 30 stop ||
        { pid=$(head -n 1 "$data/postmaster.pid") && [ -n "$pid" ] && kill -KILL "$pid"; }
      rm -rf "$dir"
      """
    let command =
      ["-c", script, "vra-pg-watchdog", directory.path, directory.appendingPathComponent("data").path]
      + (account?.prefix ?? []) + [binaries.pgCtl.path]
    let sh = URL(fileURLWithPath: "/bin/sh")
    do {
      if let setsid = executableOnPath("setsid") {
        // `setsid -f`: forked into a session of its own (a Ctrl-C aimed at the test run does not
        // reach it); setsid itself returns at once.
        let result = try await runTool(
          setsid, ["-f", sh.path] + command, directory: directory, standardInput: readEnd, leavesProcesses: true,
          timeout: .seconds(30))
        guard result.status == 0 else {
          throw PostgresTestClusterError("setsid exited with \(result.status): \(result.errorOutput)")
        }
      } else {
        // No setsid (macOS): a plain child, which outlives this process all the same; not awaited.
        let process = Process()
        process.executableURL = sh
        process.arguments = command
        process.currentDirectoryURL = directory
        process.standardInput = readEnd
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
      }
    } catch {
      close(ends[1])
      throw PostgresTestClusterError("could not start the cluster's watchdog: \(error)")
    }
    return ends[1]
  }

  // MARK: - Child processes

  struct ToolResult {
    let status: Int32
    let output: String
    let errorOutput: String
  }

  /// Runs `executable` (as `account` when given) in `directory` to its end, or until `timeout`, then
  /// terminates it and throws. Output goes to files in `directory`, not pipes, so a chatty tool cannot
  /// fill a pipe and stall.
  ///
  /// `leavesProcesses`: the command leaves processes running after it ends (`pg_ctl start` leaves
  /// the server, `setsid -f` the watchdog). On Linux, Foundation learns that a child ended when a
  /// socket the child inherits reaches end-of-file, so a descendant that keeps it would hide the end
  /// forever: such a command runs under a bash that starts it with every descriptor above 2 closed.
  static func runTool(
    _ executable: URL, _ arguments: [String], as account: ServerAccount? = nil, directory: URL,
    environment extra: [String: String] = [:], standardInput: FileHandle = .nullDevice, leavesProcesses: Bool = false,
    timeout: Duration
  ) async throws -> ToolResult {
    var command = (account?.prefix ?? []) + [executable.path] + arguments
    if leavesProcesses, let bash = executableOnPath("bash"), FileManager.default.fileExists(atPath: "/proc/self/fd") {
      let closingInherited = #"""
        closes=""
        for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && closes="$closes $fd>&-"; done
        eval "\"\$@\" $closes"
        """#
      command = [bash.path, "-c", closingInherited, "bash"] + command
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    // Nothing from the caller's libpq settings (PGHOST, PGSSLMODE, a password file, ...) applies.
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
    environment["PGPASSFILE"] = directory.appendingPathComponent("no-pgpass").path
    environment["PGCONNECT_TIMEOUT"] = "10"
    environment["LC_ALL"] = "C"
    process.environment = environment.merging(extra) { $1 }
    process.currentDirectoryURL = directory
    let outputs = directory.appendingPathComponent("run-" + randomHex(12))
    let outPath = outputs.path + ".out"
    let errPath = outputs.path + ".err"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer {
      try? FileManager.default.removeItem(atPath: outPath)
      try? FileManager.default.removeItem(atPath: errPath)
    }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    defer {
      try? out.close()
      try? err.close()
    }
    process.standardInput = standardInput
    process.standardOutput = out
    process.standardError = err
    let started = ContinuousClock.now
    let timer = Task {
      try await Task.sleep(for: timeout)
      if process.isRunning { process.terminate() }
    }
    let status = try await ChildProcess.run(process)
    timer.cancel()
    let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let errorOutput = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    if process.terminationReason == .uncaughtSignal && ContinuousClock.now - started >= timeout {
      throw PostgresTestClusterError(
        "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(timeout): "
          + output + errorOutput)
    }
    return ToolResult(status: status, output: output, errorOutput: errorOutput)
  }

  // MARK: - Helpers

  static func randomHex(_ count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return String((0..<count).map { _ in "0123456789abcdef".randomElement(using: &generator)! })
  }

  private static func conninfoQuoted(_ value: String) -> String {
    "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
  }

  private static func confQuoted(_ value: String) -> String {
    value.replacingOccurrences(of: "'", with: "''")
  }

  /// Replaces the contents of an existing file in place (its owner and mode stay).
  private static func rewrite(_ path: String, _ text: String) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.truncate(atOffset: 0)
    try handle.write(contentsOf: Data(text.utf8))
  }

  /// Writes a new file (replacing one) owned by `account` when given.
  private static func write(_ path: String, _ text: String, account: ServerAccount?) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    try account?.own(path)
  }

  private static func logTail(_ path: String) -> String {
    String(((try? String(contentsOfFile: path, encoding: .utf8)) ?? "(no log)").suffix(3000))
  }

  static func executableOnPath(
    _ name: String, searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? ""
  ) -> URL? {
    for directory in searchPath.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }

  /// A free port (another process may take it before the server binds it; `start` then tries again).
  private static func freePort() throws -> Int { try LoopbackPort.free() }
}

/// A database of the test cluster, made for one test.
public struct PostgresTestDatabase: Sendable, CustomStringConvertible {
  /// Who owns the database, and whom `url` connects as.
  public enum Owner: Sendable {
    /// The cluster's superuser (trusted: no password).
    case superuser
    /// The cluster's password user (scram-sha-256: `url` carries its password).
    case passwordUser
  }

  public let host: String
  public let port: Int
  public let user: String
  /// The password `user` must give; nil when it is trusted.
  public let password: String?
  public let database: String

  /// `postgres://user[:password]@127.0.0.1:port/database`.
  public var url: String {
    "postgres://\(user)\(password.map { ":" + $0 } ?? "")@\(host):\(port)/\(database)"
  }

  /// `url` without the password, for tests that must be refused (or give the password apart).
  public var urlWithoutPassword: String { "postgres://\(user)@\(host):\(port)/\(database)" }

  /// The libpq keyword form, without the password: `host=… port=… user=… dbname=…`.
  public var conninfo: String { "host=\(host) port=\(port) user=\(user) dbname=\(database)" }

  public var description: String { urlWithoutPassword }
}

public struct PostgresTestClusterError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}

/// Where initdb, pg_ctl, postgres and psql are.
struct PostgresBinaries {
  let directory: URL
  var initdb: URL { directory.appendingPathComponent("initdb") }
  var pgCtl: URL { directory.appendingPathComponent("pg_ctl") }
  let psql: URL

  /// `initdb` on PATH (its real directory, symlinks resolved), else the highest
  /// `/usr/lib/postgresql/<version>/bin`; the directory must also hold pg_ctl and postgres.
  static func locate(
    searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "", debian: String = "/usr/lib/postgresql"
  ) throws -> PostgresBinaries {
    var candidates: [URL] = []
    if let initdb = PostgresTestCluster.executableOnPath("initdb", searchPath: searchPath) {
      candidates.append(initdb.resolvingSymlinksInPath().deletingLastPathComponent())
    }
    let versions = ((try? FileManager.default.contentsOfDirectory(atPath: debian)) ?? [])
      .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
    candidates += versions.map { URL(fileURLWithPath: debian).appendingPathComponent($0).appendingPathComponent("bin") }
    for directory in candidates
    where ["initdb", "pg_ctl", "postgres"].allSatisfy({
      FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent($0).path)
    }) {
      let beside = directory.appendingPathComponent("psql")
      let psql =
        FileManager.default.isExecutableFile(atPath: beside.path)
        ? beside : PostgresTestCluster.executableOnPath("psql", searchPath: searchPath)
      guard let psql else {
        throw PostgresTestClusterError(
          "PostgreSQL's server is in \(directory.path) but `psql` is neither there nor on PATH: "
            + "install PostgreSQL's client (Debian/Ubuntu: `apt-get install postgresql-client`)")
      }
      return PostgresBinaries(directory: directory, psql: psql)
    }
    throw PostgresTestClusterError(
      "PostgreSQL's server binaries (initdb, pg_ctl, postgres) are neither on PATH nor in "
        + "/usr/lib/postgresql/*/bin, and these tests need a real PostgreSQL server: install it "
        + "(Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql@15` and put its bin on PATH); "
        + ".ci/run does")
  }
}

/// The user the server runs as when this process is root (PostgreSQL refuses to run as root):
/// `postgres`, which Debian's package creates. Not root: nil, everything runs as this process.
struct ServerAccount {
  let name: String
  let uid: uid_t
  let gid: gid_t
  /// The words that run a command as this user (the command's path and arguments follow):
  /// `runuser -u NAME --` or `setpriv --reuid … --regid … --clear-groups`.
  let prefix: [String]

  static func forThisProcess() throws -> ServerAccount? {
    guard geteuid() == 0 else { return nil }
    let name = "postgres"
    guard let entry = getpwnam(name) else {
      throw PostgresTestClusterError(
        "the tests run as root, which PostgreSQL refuses, and there is no `postgres` user to run it as: "
          + "install Debian's `postgresql` package (it creates the user) or add one "
          + "(`useradd --system --user-group postgres`)")
    }
    let uid = entry.pointee.pw_uid
    let gid = entry.pointee.pw_gid
    if let runuser = PostgresTestCluster.executableOnPath("runuser") {
      return ServerAccount(name: name, uid: uid, gid: gid, prefix: [runuser.path, "-u", name, "--"])
    }
    if let setpriv = PostgresTestCluster.executableOnPath("setpriv") {
      return ServerAccount(
        name: name, uid: uid, gid: gid, prefix: [setpriv.path, "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups"])
    }
    throw PostgresTestClusterError(
      "the tests run as root, which PostgreSQL refuses, and neither `runuser` nor `setpriv` (util-linux) "
        + "is on PATH to run it as `postgres`")
  }

  func own(_ path: String) throws {
    guard chown(path, uid, gid) == 0 else {
      throw PostgresTestClusterError("chown \(name) \(path) failed (errno \(errno))")
    }
  }

  /// Whether this user can enter `directory` (every parent must let it through).
  func canEnter(_ directory: URL) async throws -> Bool {
    let result = try await PostgresTestCluster.runTool(
      URL(fileURLWithPath: "/bin/sh"), ["-c", "cd \"$1\"", "sh", directory.path], as: self, directory: directory,
      timeout: .seconds(30))
    return result.status == 0
  }
}
