import Foundation
import Logging

/// Writes each line to stderr as text (`2026-12-01T18:20:19.123Z info vra-engine.engine: key=value [Engine] message`)
/// or as one JSON object (`{"ts":..,"level":..,"label":..,"message":..,"run.id":..}`), whichever
/// `LogControl` says at the moment of the line.
///
/// Hand-written: swift-log ships only a text `StreamLogHandler` and no package on this machine
/// offers a JSON handler (swift-otel's logging exports OTLP, not lines on stderr).
package struct StderrLogHandler: LogHandler {
  let label: String
  package var metadata: Logger.Metadata = [:]
  package var metadataProvider: Logger.MetadataProvider?
  /// A logger that asks for less than the process level (`logger.logLevel = .warning` on a chatty
  /// library's logger) keeps its own, stricter level.
  private var floor: Logger.Level?

  init(label: String, metadataProvider: Logger.MetadataProvider?) {
    self.label = label
    self.metadataProvider = metadataProvider
  }

  package var logLevel: Logger.Level {
    get { Swift.max(LogControl.shared.level, floor ?? .trace) }
    set { floor = newValue }
  }

  package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  package func log(event: LogEvent) {
    var merged = metadataProvider?.get() ?? [:]
    merged.merge(metadata) { _, own in own }
    if let extra = event.metadata { merged.merge(extra) { _, own in own } }
    let line =
      switch LogControl.shared.format {
      case .text: Self.text(event, label: label, metadata: merged)
      case .json: Self.json(event, label: label, metadata: merged)
      }
    LogControl.shared.write(line + "\n")
  }

  /// swift-log's `StreamLogHandler` layout, so existing log parsers keep working.
  static func text(_ event: LogEvent, label: String, metadata: Logger.Metadata) -> String {
    let pairs = metadata.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
    return "\(timestamp()) \(event.level) \(label):\(pairs) [\(event.source)] \(event.message)"
  }

  package static func json(_ event: LogEvent, label: String, metadata: Logger.Metadata) -> String {
    json(level: event.level, label: label, message: event.message.description, source: event.source, metadata: metadata)
  }

  /// One JSON object: the metadata keys beside `ts`, `level`, `label`, `message` and `source`.
  package static func json(
    level: Logger.Level, label: String, message: String, source: String?, metadata: Logger.Metadata = [:]
  ) -> String {
    var object: [String: Any] = [:]
    for (key, value) in metadata { object[key] = jsonValue(value) }
    object["ts"] = timestamp()
    object["level"] = level.rawValue
    object["label"] = label
    object["message"] = message
    object["source"] = source
    let data =
      (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }

  private static func jsonValue(_ value: Logger.Metadata.Value) -> Any {
    switch value {
    case .string(let text): text
    case .stringConvertible(let convertible): convertible.description
    case .array(let values): values.map(jsonValue)
    case .dictionary(let dictionary): dictionary.mapValues(jsonValue)
    }
  }

  private static func timestamp() -> String {
    Date.now.formatted(
      .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))
      + "Z"
  }
}
