import Foundation
import NIOCore
import NIOPosix

/// One TCP connect: passes when the port accepts the connection (which is then closed).
struct TCPProbe: Sendable {
  var host: String
  var port: Int

  func attempt(timeout: Duration) async throws -> ProbeResult {
    let milliseconds = Int64((timeout / .milliseconds(1)).rounded())
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(.milliseconds(max(milliseconds, 1)))
    do {
      let channel = try await bootstrap.connect(host: host, port: port).get()
      try? await channel.close()
      return ProbeResult(passed: true, summary: "connected to \(host):\(port)")
    } catch {
      if Task.isCancelled { throw CancellationError() }
      return ProbeResult(passed: false, summary: HTTPProbe.describe(error))
    }
  }
}
