import Foundation

/// A throwaway PKI made with `openssl` for TLS tests: a CA, a server certificate for
/// 127.0.0.1/localhost, a client certificate, and a second unrelated CA with its own
/// client certificate (the "wrong" ones).
public struct TestCertificates: Sendable {
  public let directory: URL
  public var caCert: String { path("ca.pem") }
  public var serverCert: String { path("server.pem") }
  public var serverKey: String { path("server.key") }
  public var clientCert: String { path("client.pem") }
  public var clientKey: String { path("client.key") }
  public var otherCACert: String { path("other-ca.pem") }
  public var otherClientCert: String { path("other-client.pem") }
  public var otherClientKey: String { path("other-client.key") }

  private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// Generates everything into a new temporary directory.
  public static func make() async throws -> TestCertificates {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vra-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let certs = TestCertificates(directory: directory)
    try await certs.makeCA("ca", subject: "/CN=vra-engine test CA")
    try await certs.makeCA("other-ca", subject: "/CN=unrelated test CA")
    try await certs.makeLeaf(
      "server", ca: "ca", subject: "/CN=127.0.0.1",
      extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth")
    try await certs.makeLeaf(
      "client", ca: "ca", subject: "/CN=vra-engine client", extensions: "extendedKeyUsage=clientAuth")
    try await certs.makeLeaf(
      "other-client", ca: "other-ca", subject: "/CN=stranger", extensions: "extendedKeyUsage=clientAuth")
    return certs
  }

  private func makeCA(_ name: String, subject: String) async throws {
    try await openssl(
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject, "-keyout", path("\(name).key"),
      "-out", path("\(name).pem"), "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign")
  }

  private func makeLeaf(_ name: String, ca: String, subject: String, extensions: String) async throws {
    try await openssl(
      "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", path("\(name).key"), "-out",
      path("\(name).csr"))
    try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
    try await openssl(
      "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
      "-CAcreateserial", "-days", "2", "-out", path("\(name).pem"), "-extfile", path("\(name).ext"))
  }

  private func openssl(_ arguments: String...) async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl"] + arguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try await ChildProcess.run(process)
    let output = errors.fileHandleForReading.readDataToEndOfFile()
    guard process.terminationStatus == 0 else {
      throw CertificateError(
        message: "openssl \(arguments.first ?? "") failed: \(String(decoding: output, as: UTF8.self))")
    }
  }

  public func remove() { try? FileManager.default.removeItem(at: directory) }
}

public struct CertificateError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}
