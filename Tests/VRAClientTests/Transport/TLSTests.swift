import Foundation
import InMemoryLogging
import Logging
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

@Suite("TLS and mutual TLS", .serialized)
struct TLSTests {
  static func withTLSSimulator<T: Sendable>(
    requireClientCertificate: Bool, _ body: (SimulatorHarness, TestCertificates) async throws -> T
  ) async throws -> T {
    let certificates = try await TestCertificates.make()
    defer { certificates.remove() }
    return try await SimulatorHarness.with({
      $0.tls = TLSSettings(
        certificateFile: certificates.serverCert, keyFile: certificates.serverKey,
        clientCAFile: requireClientCertificate ? certificates.caCert : nil)
    }) { harness in try await body(harness, certificates) }
  }

  static func client(_ harness: SimulatorHarness, tls: TLSOptions) throws -> VRAClient {
    try VRAClient(
      configuration: ClientFixture.configuration(
        harness, authentication: .password(username: "admin", password: "VMware1!", domain: "vsphere.local"),
        retry: .none, tls: tls))
  }

  @Test("trusting the test CA works; trusting another CA fails naming the verification problem")
  func customCA() async throws {
    try await Self.withTLSSimulator(requireClientCertificate: false) { harness, certificates in
      #expect(harness.server.baseURL.hasPrefix("https://"))
      let good = try Self.client(harness, tls: TLSOptions(caBundlePath: certificates.caCert))
      #expect(try await !good.iaasProjects().content.isEmpty)

      let wrong = try Self.client(harness, tls: TLSOptions(caBundlePath: certificates.otherCACert))
      let error = await vraError { _ = try await wrong.iaasProjects() }
      print("wrong CA: \(String(describing: error))")
      #expect(error?.errorClass == .transport)
      #expect(error?.message.contains("certificate could not be verified") == true)
      #expect(error?.severity == .critical)
      #expect(error?.attempts == 1)
    }
  }

  @Test("mutual TLS: the right client certificate works, none or a wrong one fails clearly")
  func mutualTLS() async throws {
    try await Self.withTLSSimulator(requireClientCertificate: true) { harness, certificates in
      let good = try Self.client(
        harness,
        tls: TLSOptions(
          caBundlePath: certificates.caCert, clientCertificatePath: certificates.clientCert,
          clientKeyPath: certificates.clientKey))
      #expect(try await !good.iaasProjects().content.isEmpty)

      let none = try Self.client(harness, tls: TLSOptions(caBundlePath: certificates.caCert))
      let noneError = await vraError { _ = try await none.iaasProjects() }
      print("no client certificate: \(String(describing: noneError))")
      #expect(noneError?.errorClass == .transport)
      #expect(noneError?.message.contains("TLS") == true)
      #expect(noneError?.hint?.contains("client certificate") == true)

      let stranger = try Self.client(
        harness,
        tls: TLSOptions(
          caBundlePath: certificates.caCert, clientCertificatePath: certificates.otherClientCert,
          clientKeyPath: certificates.otherClientKey))
      let strangerError = await vraError { _ = try await stranger.iaasProjects() }
      print("wrong client certificate: \(String(describing: strangerError))")
      #expect(strangerError?.errorClass == .transport)
      #expect(strangerError?.message.contains("TLS") == true)
      #expect(strangerError?.hint?.contains("client certificate") == true)
    }
  }

  @Test("insecureSkipVerify accepts an unknown CA and logs its warning exactly once across clients and calls")
  func insecureWarningOnce() async throws {
    // The warning is once per process, and this is the only test that turns verification off.
    let handler = InMemoryLogHandler()
    var logger = Logger(label: "insecure") { _ in handler }
    logger.logLevel = .trace
    try await Self.withTLSSimulator(requireClientCertificate: false) { harness, _ in
      for _ in 0..<3 {
        let client = try VRAClient(
          configuration: ClientFixture.configuration(
            harness, authentication: .password(username: "admin", password: "VMware1!", domain: "vsphere.local"),
            retry: .none, tls: TLSOptions(insecureSkipVerify: true), logger: logger))
        for _ in 0..<10 { #expect(try await !client.iaasProjects().content.isEmpty) }
      }
      let warnings = handler.entries.filter { "\($0.message)".contains("insecureSkipVerify") }
      #expect(warnings.count == 1)
      #expect(warnings.first?.level == .warning)
      #expect(handler.entries.filter { "\($0.message)" == "vRA call" }.count >= 30)
    }
  }

  @Test("a certificate without its key is refused before any call")
  func certificateWithoutKey() throws {
    let configuration = VRAClientConfiguration(
      endpoint: URL(string: "https://vra.invalid")!, authentication: .accessToken("x"),
      tls: TLSOptions(clientCertificatePath: "/nonexistent.pem"), logger: ClientFixture.quietLogger)
    #expect(throws: VRAError.self) { _ = try VRAClient(configuration: configuration) }
  }
}
