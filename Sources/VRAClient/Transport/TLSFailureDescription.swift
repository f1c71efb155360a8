import NIOSSL

/// Turns NIOSSL's errors into a sentence naming the verification problem.
///
/// BoringSSL reports failures as an error stack of reason codes
/// (`CERTIFICATE_VERIFY_FAILED`, `TLSV1_ALERT_CERTIFICATE_REQUIRED`, ...). An operator
/// cannot act on the raw stack, but can on "the server's certificate is not signed by a
/// trusted CA", so the known reason codes are mapped and the code itself is kept in brackets.
enum TLSFailureDescription {
  private struct Known {
    var reasonCodes: [String]
    var detail: String
    var hint: String
  }

  private static let known: [Known] = [
    Known(
      reasonCodes: ["CERTIFICATE_VERIFY_FAILED"],
      detail: "TLS: the server's certificate could not be verified: not signed by a trusted CA, expired, "
        + "or not issued for this host",
      hint: "set the CA bundle (tls caBundle) to the CA that signed vRA's certificate; insecureSkipVerify is "
        + "for labs only"),
    Known(
      reasonCodes: ["CERTIFICATE_REQUIRED", "ALERT_HANDSHAKE_FAILURE", "PEER_DID_NOT_RETURN_A_CERTIFICATE"],
      detail: "TLS: the server requires a client certificate (mutual TLS) and none was accepted",
      hint: "configure the client certificate and key (tls clientCertificate/clientKey)"),
    Known(
      reasonCodes: [
        "ALERT_UNKNOWN_CA", "ALERT_BAD_CERTIFICATE", "ALERT_CERTIFICATE_UNKNOWN", "ALERT_DECRYPT_ERROR",
        "ALERT_ACCESS_DENIED", "ALERT_CERTIFICATE_EXPIRED",
      ],
      detail: "TLS: the server rejected the client certificate: not signed by a CA it trusts, or expired",
      hint: "use a client certificate issued by the CA the server trusts for client authentication"),
    Known(
      reasonCodes: ["WRONG_VERSION_NUMBER", "HTTP_REQUEST"],
      detail: "TLS: the server did not answer with TLS (plain HTTP on an https URL, or the wrong port)",
      hint: "check the scheme and port of the endpoint URL"),
  ]

  /// A known BoringSSL reason code in an error's text, as a sentence; nil when none is known.
  static func describe(raw: String) -> TransportFailure? {
    for entry in known {
      if let code = entry.reasonCodes.first(where: { raw.contains($0) }) {
        return TransportFailure(
          kind: .tls, mayHaveReachedServer: false, detail: "\(entry.detail) [\(code)]", hint: entry.hint)
      }
    }
    return nil
  }

  /// BoringSSL's own error stack (`BoringSSLError.sslError`), seen when an alert arrives after the handshake.
  static func describe(_ error: BoringSSLError, url: String) -> TransportFailure {
    let raw = String(describing: error)
    return describe(raw: raw)
      ?? TransportFailure(kind: .tls, mayHaveReachedServer: false, detail: "TLS failure: \(raw)")
  }

  static func describe(_ error: NIOSSLError, url: String) -> TransportFailure {
    let raw = String(describing: error)
    if let known = describe(raw: raw) { return known }
    switch error {
    case .uncleanShutdown:
      // With TLS 1.3 a server that refuses the client certificate often just closes the connection.
      return TransportFailure(
        kind: .tls, mayHaveReachedServer: false,
        detail: "TLS: the server closed the connection during or right after the handshake "
          + "(often: a client certificate is required or was rejected)",
        hint: "check the client certificate and key, and that the server trusts their CA")
    default:
      return TransportFailure(kind: .tls, mayHaveReachedServer: false, detail: "TLS failure: \(raw)")
    }
  }

  static func describe(_ error: NIOSSLExtraError, url: String) -> TransportFailure {
    let raw = String(describing: error)
    if raw.localizedCaseInsensitiveContains("hostname") {
      return TransportFailure(
        kind: .tls, mayHaveReachedServer: false,
        detail: "TLS: the server's certificate is not issued for the host of \(url) (hostname mismatch)",
        hint: "use the host name the certificate names, or reissue the certificate with this name as a SAN")
    }
    return TransportFailure(kind: .tls, mayHaveReachedServer: false, detail: "TLS failure: \(raw)")
  }
}
