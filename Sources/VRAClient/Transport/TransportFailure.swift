import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why an attempt got no HTTP answer, and whether the request could have reached vRA.
///
/// `mayHaveReachedServer` is what makes retries safe: a refused connection proves nothing
/// was applied, a connection closed after the request was written proves nothing either way.
/// Package-visible: the CLI's `--server` client classifies its own transport errors with it.
package struct TransportFailure: Error, Sendable {
  package enum Kind: Sendable, Equatable {
    case connectionRefused
    case connectTimeout
    case connectionClosed
    case timeout
    case tls
    case cancelled
    /// The HTTP client was shut down (the process is exiting): nothing was sent.
    case clientShutDown
    case other
  }

  package var kind: Kind
  package var mayHaveReachedServer: Bool
  /// One line naming the problem (for TLS: which verification failed).
  package var detail: String
  package var hint: String?

  /// Reads the errors AsyncHTTPClient, NIO and NIOSSL throw.
  package static func classify(_ error: any Error, url: String) -> TransportFailure {
    if error is CancellationError {
      return TransportFailure(kind: .cancelled, mayHaveReachedServer: true, detail: "cancelled")
    }
    if let error = error as? TransportFailure { return error }
    if let error = error as? HTTPClientError { return classify(error) }
    if let error = error as? NIOSSLError { return TLSFailureDescription.describe(error, url: url) }
    if let error = error as? NIOSSLExtraError { return TLSFailureDescription.describe(error, url: url) }
    if let error = error as? BoringSSLError { return TLSFailureDescription.describe(error, url: url) }
    if let error = error as? NIOConnectionError {
      return TransportFailure(
        kind: .connectionRefused, mayHaveReachedServer: false,
        detail: "cannot connect to \(error.host):\(error.port)",
        hint: "check the endpoint URL, that vRA is up, and that no firewall or proxy is in the way")
    }
    if let error = error as? ChannelError {
      switch error {
      case .connectTimeout:
        return TransportFailure(kind: .connectTimeout, mayHaveReachedServer: false, detail: "connect timed out")
      default:
        return TransportFailure(kind: .connectionClosed, mayHaveReachedServer: true, detail: "channel error: \(error)")
      }
    }
    if let error = error as? IOError {
      let refused = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode)
      guard refused else {
        return TransportFailure(
          kind: .connectionClosed, mayHaveReachedServer: true, detail: "I/O error: \(error.description)")
      }
      return TransportFailure(
        kind: .connectionRefused, mayHaveReachedServer: false,
        detail:
          "cannot connect to \(url.split(separator: "?").first ?? ""): \(String(cString: strerror(error.errnoCode)))",
        hint: "check the endpoint URL, that vRA is up, and that no firewall or proxy is in the way")
    }
    return TransportFailure(kind: .other, mayHaveReachedServer: true, detail: String(describing: error))
  }

  private static func classify(_ error: HTTPClientError) -> TransportFailure {
    switch error {
    case .cancelled, .requestStreamCancelled:
      return TransportFailure(kind: .cancelled, mayHaveReachedServer: true, detail: "cancelled")
    case .connectTimeout, .getConnectionFromPoolTimeout:
      return TransportFailure(
        kind: .connectTimeout, mayHaveReachedServer: false, detail: "connect timed out",
        hint: "check that the endpoint is reachable from this machine")
    case .tlsHandshakeTimeout:
      return TransportFailure(kind: .connectTimeout, mayHaveReachedServer: false, detail: "TLS handshake timed out")
    case .readTimeout, .deadlineExceeded:
      return TransportFailure(kind: .timeout, mayHaveReachedServer: true, detail: "no answer before the timeout")
    case .alreadyShutdown:
      return TransportFailure(
        kind: .clientShutDown, mayHaveReachedServer: false, detail: "the HTTP client was already shut down",
        hint: "a call was made after SharedHTTPClient.shutdown() (or after its own HTTPClient was shut down)")
    case .remoteConnectionClosed:
      return TransportFailure(
        kind: .connectionClosed, mayHaveReachedServer: true,
        detail: "the connection was closed before an answer arrived")
    default:
      return TransportFailure(kind: .other, mayHaveReachedServer: true, detail: "HTTP client error: \(error)")
    }
  }
}
