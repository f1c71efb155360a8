import Logging
import NIOSSL

/// How the client trusts vRA and, for mutual TLS, proves who it is.
public struct TLSOptions: Sendable {
  /// PEM file of the CA(s) that signed vRA's certificate; nil trusts the system's roots.
  public var caBundlePath: String?
  /// PEM client certificate (chain) and key for mutual TLS.
  public var clientCertificatePath: String?
  public var clientKeyPath: String?
  /// Accepts any server certificate. For labs only: the client logs a warning once.
  public var insecureSkipVerify: Bool

  public init(
    caBundlePath: String? = nil, clientCertificatePath: String? = nil, clientKeyPath: String? = nil,
    insecureSkipVerify: Bool = false
  ) {
    self.caBundlePath = caBundlePath
    self.clientCertificatePath = clientCertificatePath
    self.clientKeyPath = clientKeyPath
    self.insecureSkipVerify = insecureSkipVerify
  }

  public static let systemTrust = TLSOptions()

  /// The NIOSSL configuration these options describe; throws a `VRAError` naming the bad file.
  func makeConfiguration(logger: Logger) throws -> TLSConfiguration {
    var configuration = TLSConfiguration.makeClientConfiguration()
    do {
      if let caBundlePath {
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caBundlePath))
      }
      switch (clientCertificatePath, clientKeyPath) {
      case (let certificate?, let key?):
        configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
      case (nil, nil):
        break
      default:
        throw VRAError(
          .validation(messages: ["client certificate and key must be given together"]), method: "-", path: "-",
          message: "TLS: a client certificate needs its key and a key needs its certificate",
          hint: "set both tls clientCertificate and tls clientKey, or neither")
      }
    } catch let error as VRAError {
      throw error
    } catch {
      throw VRAError(
        .transport, method: "-", path: "-", message: "TLS: cannot load a certificate or key: \(error)",
        hint: "check the paths and that the files are PEM", severity: .critical)
    }
    if insecureSkipVerify {
      configuration.certificateVerification = .none
      InsecureTLSWarning.logOnce(logger)
    }
    return configuration
  }
}
