import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import TestSupport
import Testing
import VRAModels

@testable import EngineServer

@Suite("serve: TLS and hot reload")
struct ServeTransportTests {
  /// GET /healthz over HTTPS with the given trust and client identity.
  static func health(
    _ url: String, trusting ca: String, clientCert: String? = nil, clientKey: String? = nil
  ) async throws -> Int {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .file(ca)
    if let clientCert, let clientKey {
      tls.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCert).map { .certificate($0) }
      tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientKey, format: .pem))
    }
    var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
    configuration.timeout = .init(connect: .seconds(5), read: .seconds(5))
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    do {
      let response = try await client.execute(HTTPClientRequest(url: url + "/healthz"), timeout: .seconds(10))
      try await client.shutdown()
      return Int(response.status.code)
    } catch {
      try await client.shutdown()
      throw error
    }
  }

  @Test func mutualTLSLetsOnlyClientsOfTheClientCAIn() async throws {
    let certs = try await TestCertificates.make()
    defer { certs.remove() }
    let directory = try Scratch.directory()
    let file = directory.appendingPathComponent("serve.yaml")
    try Data(
      """
      listen: 127.0.0.1:0
      state: {url: state.db}
      tls: {certificate: \(certs.serverCert), privateKey: \(certs.serverKey), clientCA: \(certs.caCert)}
      tenants:
        - name: team-a
          tokens: ["sha256:\(ServeFixture.hash("t"))"]
      """.utf8
    ).write(to: file)
    try await EngineService.with(try ServeConfiguration.load(path: file.path)) { running in
      #expect(running.baseURL.hasPrefix("https://"))
      let ok = try await Self.health(
        running.baseURL, trusting: certs.caCert, clientCert: certs.clientCert, clientKey: certs.clientKey)
      #expect(ok == 200)
      await #expect(throws: (any Error).self, "no client certificate") {
        _ = try await Self.health(running.baseURL, trusting: certs.caCert)
      }
      await #expect(throws: (any Error).self, "a client certificate from another CA") {
        _ = try await Self.health(
          running.baseURL, trusting: certs.caCert, clientCert: certs.otherClientCert, clientKey: certs.otherClientKey)
      }
    }
  }

  @Test func aTokenAddedToServeYAMLWorksWithoutARestart() async throws {
    try await ServeFixture.with { fixture in
      let newToken = "vre_added_\(UUID().uuidString)"
      #expect(try await fixture.http.call(.GET, "/api/v1/runs", token: newToken).status == 401)
      let file = fixture.directory.appendingPathComponent("serve.yaml")
      let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
        of: "tokens: [\"sha256:\(ServeFixture.hash(ServeFixture.teamB.token))\"]",
        with:
          "tokens: [\"sha256:\(ServeFixture.hash(ServeFixture.teamB.token))\", \"sha256:\(ServeFixture.hash(newToken))\"]"
      )
      try Data(text.utf8).write(to: file, options: .atomic)
      // The watcher looks every 2 s; the new token then acts as team-b.
      let listed = try await pollForValue(timeout: .seconds(20), every: .milliseconds(100)) { () async throws -> Int? in
        let answer = try await fixture.http.call(.GET, "/api/v1/runs", token: newToken)
        return answer.status == 200 ? answer.status : nil
      }
      #expect(listed == 200)
      let submitted = try await fixture.submit(
        ServeFixture.Tenant(
          name: "team-b", token: newToken, project: "Production", username: "", password: ""),
        plan: ServeFixture.plan(project: "Production"), files: ["templates/network.yaml": EngineTemplates.network])
      #expect(submitted.json["tenant"]?.stringValue == "team-b")
    }
  }
}
