import Credentials
import Logging
import VRAClient

/// Wraps the log handler the CLI writes with, so every line is scrubbed by the process's
/// `Redactor` whoever wrote it (the engine, the client, a dependency): message, metadata (the
/// metadata provider's too) and the attached error.
struct RedactingLogHandler: LogHandler {
  private var inner: any LogHandler
  private let redactor: Redactor
  private var provider: Logger.MetadataProvider?

  init(
    redactor: Redactor, metadataProvider: Logger.MetadataProvider?,
    makeInner: (Logger.MetadataProvider?) -> any LogHandler
  ) {
    self.redactor = redactor
    self.provider = metadataProvider
    self.inner = makeInner(metadataProvider.map { Self.redacting($0, with: redactor) })
  }

  var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  var metadata: Logger.Metadata {
    get { inner.metadata }
    set { inner.metadata = newValue }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { inner[metadataKey: key] }
    set { inner[metadataKey: key] = newValue }
  }

  var metadataProvider: Logger.MetadataProvider? {
    get { provider }
    set {
      provider = newValue
      inner.metadataProvider = newValue.map { Self.redacting($0, with: redactor) }
    }
  }

  func log(event: LogEvent) {
    var event = event
    event.message = "\(redactor.redact(event.message.description))"
    event.metadata = event.metadata.map { Self.redact($0, with: redactor) }
    if let error = event.error { event.error = RedactedError(description: redactor.redact("\(error)")) }
    // The handler's own metadata (set on the logger) is merged by `inner`: redact it on the way too.
    var inner = self.inner
    inner.metadata = Self.redact(inner.metadata, with: redactor)
    inner.log(event: event)
  }

  private static func redacting(
    _ provider: Logger.MetadataProvider, with redactor: Redactor
  ) -> Logger.MetadataProvider {
    Logger.MetadataProvider { redact(provider.get(), with: redactor) }
  }

  private static func redact(_ metadata: Logger.Metadata, with redactor: Redactor) -> Logger.Metadata {
    var result: Logger.Metadata = [:]
    for (key, value) in metadata {
      result[key] = redactor.isSensitive(name: key) ? .string(Redactor.mask) : redact(value, with: redactor)
    }
    return result
  }

  private static func redact(_ value: Logger.MetadataValue, with redactor: Redactor) -> Logger.MetadataValue {
    switch value {
    case .string(let text): .string(redactor.redact(text))
    case .stringConvertible(let convertible): .string(redactor.redact(convertible.description))
    case .array(let values): .array(values.map { redact($0, with: redactor) })
    case .dictionary(let values): .dictionary(values.mapValues { redact($0, with: redactor) })
    }
  }

  /// An error's text, redacted, standing in for the error itself.
  private struct RedactedError: Error, CustomStringConvertible {
    let description: String
  }
}
