import NIOSSL

/// Server-side TLS from PEM files; with a client CA, every client must present a
/// certificate it signed (mutual TLS).
enum SimulatorTLS {
  static func serverConfiguration(_ settings: TLSSettings) throws -> TLSConfiguration {
    let chain = try NIOSSLCertificate.fromPEMFile(settings.certificateFile).map {
      NIOSSLCertificateSource.certificate($0)
    }
    let key = try NIOSSLPrivateKey(file: settings.keyFile, format: .pem)
    var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
    if let clientCA = settings.clientCAFile {
      configuration.trustRoots = .file(clientCA)
      configuration.certificateVerification = .noHostnameVerification
    }
    return configuration
  }
}
