import Foundation

extension OpenAPIDocument {
  /// Every operation the document describes, as (`GET`, `/api/v1/runs/{id}`), sorted by path then
  /// method: read from `json`, so a route test compares the server's routes with what is documented.
  public static let operations: [(method: String, path: String)] = parseOperations(json)

  static let httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

  static func parseOperations(_ text: String) -> [(method: String, path: String)] {
    guard
      let document = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
      let paths = document["paths"] as? [String: Any]
    else { return [] }
    return paths.keys.sorted().flatMap { path -> [(method: String, path: String)] in
      let item = paths[path] as? [String: Any] ?? [:]
      return httpMethods.filter { item[$0] != nil }.map { (method: $0.uppercased(), path: path) }
    }
  }
}
