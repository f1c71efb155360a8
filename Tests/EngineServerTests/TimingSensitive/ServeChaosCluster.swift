import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport
import VRAModels
import VRASimulator

#if canImport(Glibc)
  import Glibc
#endif

/// The pieces of the chaos test (`ServeChaosTests`): three `vra-engine serve` processes on one
/// PostgreSQL database, each on a fixed port so that a replica restarted after a SIGKILL listens
/// where it did, and a record of every call that changes something in the simulator.

/// Three replicas: the same serve.yaml but for `listen`. Every process started is remembered, so
/// that `killAll()` (synchronous: for a `defer`) leaves none behind, whatever the test did.
final class ChaosReplicas: Sendable {
  struct Slot: Sendable {
    var port: Int
    var config: String
    var process: ServeProcess?
    /// Every pid this slot had, in order.
    var pids: [Int32] = []
  }

  let environment: [String: String]
  private let slots: Mutex<[Slot]>
  private let started = Mutex<[(replica: Int, process: ServeProcess)]>([])

  init(configs: [(port: Int, config: String)], environment: [String: String]) {
    self.environment = environment
    slots = Mutex(configs.map { Slot(port: $0.port, config: $0.config) })
  }

  var count: Int { slots.withLock { $0.count } }
  func process(_ index: Int) -> ServeProcess? { slots.withLock { $0[index].process } }
  func pid(_ index: Int) -> Int32? { process(index)?.process.processIdentifier }
  func baseURL(_ index: Int) -> String { "http://127.0.0.1:\(slots.withLock { $0[index].port })" }
  /// Which replica a pid was (any of its lives).
  func replica(ofPID pid: Int32) -> Int? { slots.withLock { $0.firstIndex { $0.pids.contains(pid) } } }
  /// Every process started, in order: killed ones too (their logs).
  var history: [(replica: Int, process: ServeProcess)] { started.withLock { $0 } }
  var allProcesses: [(replica: Int, process: ServeProcess)] {
    slots.withLock { slots in slots.indices.compactMap { index in slots[index].process.map { (index, $0) } } }
  }

  /// Starts (or restarts) replica `index` on its port; retried while the port is still taken by
  /// the process just killed (the kernel frees it a moment after the exit).
  func start(_ index: Int) async throws {
    let config = slots.withLock { $0[index].config }
    var attempt = 0
    while true {
      attempt += 1
      do {
        let process = try await ServeProcess.start(config: config, environment: environment)
        slots.withLock {
          $0[index].process = process
          $0[index].pids.append(process.process.processIdentifier)
        }
        started.withLock { $0.append((index, process)) }
        return
      } catch let error as ServeExited where attempt < 5 && error.log.contains("in use") {
        try await Task.sleep(for: .milliseconds(200))
      }
    }
  }

  /// SIGKILLs replica `index` and waits until it is gone; its pid.
  @discardableResult
  func kill(_ index: Int) async throws -> Int32 {
    guard let process = process(index) else { throw ChaosError("replica \(index) is not running") }
    _ = try await process.stop(signal: SIGKILL)
    slots.withLock { $0[index].process = nil }
    return process.process.processIdentifier
  }

  /// SIGKILLs every process still running (a stopped one too), without waiting.
  func killAll() {
    for slot in slots.withLock({ $0 }) {
      guard let process = slot.process?.process, process.isRunning else { continue }
      Glibc.kill(process.processIdentifier, SIGKILL)
    }
  }
}

/// Every call that changes something in the simulator (anything but GET), with the time it was
/// answered and, for a deployment's request, the deployment name and request id from the answer.
final class ChaosVRARecorder: Sendable {
  struct Call: Sendable {
    var at: Date
    var method: String
    var path: String
    var status: Int
    var deploymentName: String?
    var requestId: String?
  }

  private let calls = Mutex<[Call]>([])

  var recorded: [Call] { calls.withLock { $0 } }

  var observer: ResponseObserver {
    { [self] response in
      guard response.method != "GET" else { return }
      let json = (try? JSONDecoder().decode(JSONValue.self, from: response.body)) ?? .null
      let call = Call(
        at: Date(), method: response.method, path: response.path, status: response.status,
        deploymentName: json["deploymentName"]?.stringValue, requestId: json["id"]?.stringValue)
      self.calls.withLock { $0.append(call) }
    }
  }

  /// Requests that create a deployment: blueprint requests and catalog item requests.
  static func isCreating(_ call: Call) -> Bool {
    call.method == "POST"
      && (call.path == "/blueprint/api/blueprint-requests"
        || (call.path.hasPrefix("/catalog/api/items/") && call.path.hasSuffix("/request")))
  }

  /// Calls that act on vRA for a run (create, cancel, delete); logins are not.
  static func isAction(method: String, path: String) -> Bool {
    guard method != "GET" else { return false }
    return !path.contains("/login") && !path.contains("/authorize") && !path.hasPrefix("/_sim/")
  }
}

struct ChaosError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

enum ChaosNetwork {
  /// A TCP port free on 127.0.0.1 right now (bound, read, closed).
  static func freePort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw ChaosError("socket() failed: \(errno)") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        guard bind(socket, socketAddress, length) == 0 else { return false }
        return getsockname(socket, socketAddress, &length) == 0
      }
    }
    guard bound else { throw ChaosError("bind() failed: \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// `POST /api/v1/runs` with a deadline of its own: a replica that was stopped does not answer,
  /// and a client behind a load balancer gives up and sends the request elsewhere.
  static func submit(
    baseURL: String, token: String, key: String, body: JSONValue, timeout: TimeAmount
  ) async throws -> Answer {
    var request = HTTPClientRequest(url: baseURL + "/api/v1/runs")
    request.method = .POST
    request.headers.add(name: "Accept", value: "application/json")
    request.headers.add(name: "Authorization", value: "Bearer \(token)")
    request.headers.add(name: "Content-Type", value: "application/json")
    request.headers.add(name: "Idempotency-Key", value: key)
    request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
    let response = try await HTTPClient.shared.execute(request, timeout: timeout)
    let collected = try await response.body.collect(upTo: 16 * 1024 * 1024)
    return Answer(
      status: Int(response.status.code), replayed: response.headers.first(name: "Idempotent-Replayed") == "true",
      json: (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: collected))) ?? .null)
  }

  struct Answer: Sendable {
    var status: Int
    var replayed: Bool
    var json: JSONValue
  }
}

/// Percentiles of a sample, nearest rank.
enum ChaosFigures {
  static func percentile(_ values: [Double], _ fraction: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let rank = Int((fraction * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
  }

  static func seconds(_ value: Double?) -> String {
    value.map { String(format: "%.2f s", $0) } ?? "n/a"
  }
}
