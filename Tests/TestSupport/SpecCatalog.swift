import Foundation
import VRAModels

/// The real vRA API specs of `shared/vra-api/`, loaded once: which response
/// definition each (method, path, status) must follow.
public final class SpecCatalog: Sendable {
  public static let shared: SpecCatalog = {
    do {
      return try SpecCatalog(directory: RepositoryPaths.specs)
    } catch {
      fatalError("cannot load the vRA specs from \(RepositoryPaths.specs.path): \(error)")
    }
  }()

  struct Operation: Sendable {
    var file: String
    var method: String
    var template: String
    var pattern: [Segment]
    var responses: [String: JSONValue]
  }

  enum Segment: Sendable, Equatable {
    case literal(String)
    case parameter
  }

  let documents: [String: JSONValue]
  let operations: [Operation]

  init(directory: URL) throws {
    var documents: [String: JSONValue] = [:]
    var operations: [Operation] = []
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
    for file in files.sorted() {
      let data = try Data(contentsOf: directory.appendingPathComponent(file))
      let document = try JSONDecoder().decode(JSONValue.self, from: data)
      documents[file] = document
      for (path, item) in document["paths"]?.objectValue ?? [:] {
        for (method, operation) in item.objectValue ?? [:] where method != "parameters" {
          let pattern = path.split(separator: "/").map { part -> Segment in
            part.hasPrefix("{") ? .parameter : .literal(String(part))
          }
          operations.append(
            Operation(
              file: file, method: method.uppercased(), template: path, pattern: pattern,
              responses: operation["responses"]?.objectValue ?? [:]))
        }
      }
    }
    self.documents = documents
    self.operations = operations
  }

  /// Every documented operation as `METHOD /path/{parameter}`, sorted.
  public var operationNames: [String] { operations.map { "\($0.method) \($0.template)" }.sorted() }

  /// The operation a concrete call hits; literal segments beat parameters, as a router decides.
  func operation(method: String, path: String) -> Operation? {
    let parts = path.split(separator: "/").map(String.init)
    let candidates = operations.filter { operation in
      operation.method == method && operation.pattern.count == parts.count
        && zip(operation.pattern, parts).allSatisfy { segment, part in
          if case .literal(let literal) = segment { return literal == part }
          return true
        }
    }
    return candidates.max { a, b in
      a.pattern.filter { $0 != .parameter }.count < b.pattern.filter { $0 != .parameter }.count
    }
  }

  /// The schema a response must follow, with the file it lives in (for `$ref`s).
  /// `nil` schema with a known operation means the spec documents no body.
  func responseSchema(
    method: String, path: String, status: Int
  ) -> (file: String, schema: JSONValue?, template: String)? {
    guard let operation = operation(method: method, path: path) else { return nil }
    let response = operation.responses[String(status)] ?? operation.responses["default"]
    return (operation.file, response?["schema"], operation.template)
  }

  func definition(_ ref: String, in file: String) -> JSONValue? {
    guard ref.hasPrefix("#/definitions/") else { return nil }
    return documents[file]?["definitions"]?[String(ref.dropFirst("#/definitions/".count))]
  }

  /// `ServiceErrorResponse`, the error body of every service.
  var errorSchema: (file: String, schema: JSONValue) {
    ("vra-iaas-login-projects.json", ["$ref": "#/definitions/ServiceErrorResponse"])
  }
}

/// Where the repository and its neighbours are, from this source file's location.
public enum RepositoryPaths {
  /// …/Tests/TestSupport/SpecCatalog.swift → the package root.
  public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  public static let specs = resource("vra-api")
  public static let corpus = resource("corpus/cloud-templates")

  /// `../shared/NAME` when the clone sits beside it (the source of truth), else the copy in
  /// `Tests/Resources/NAME`, so a clone anywhere can run the tests.
  static func resource(_ name: String) -> URL {
    let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/\(name)")
    if FileManager.default.fileExists(atPath: shared.path) { return shared }
    return packageRoot.appendingPathComponent("Tests/Resources/\(name)")
  }
}
