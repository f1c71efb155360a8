import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Ports for the real servers tests start (OpenBao, PostgreSQL).
public enum LoopbackPort {
  /// A port the kernel just handed out on 127.0.0.1 (bound, read, closed). Another process may take
  /// it before the caller's server binds it: callers retry a failed start with another.
  public static func free() throws -> Int {
    #if canImport(Glibc)
      let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let socketFD = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard socketFD >= 0 else { throw LoopbackPortError("socket() failed") }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) }
    }
    guard bound == 0 else { throw LoopbackPortError("bind() failed") }
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
    }
    guard named == 0 else { throw LoopbackPortError("getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}

public struct LoopbackPortError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}
