import Credentials
import Foundation

/// The token providers' way out: unauthenticated POSTs through the same attempt loop,
/// so token calls get the same retries, logs (with the credentials redacted) and errors.
extension CallExecutor: TokenEndpoint {
  func postJSON<Body: Encodable & Sendable, Answer: Decodable & Sendable>(
    _ path: String, query: [(String, String?)], body: Body, as answer: Answer.Type, base: URL?
  ) async throws -> Answer {
    var request = APIRequest(.POST, path, query: query, safety: .idempotent)
    request.authenticated = false
    request.base = base
    try request.setJSON(body)
    return try await call(request, as: answer)
  }

  func postForm<Answer: Decodable & Sendable>(
    _ path: String, form: [(String, Secret)], as answer: Answer.Type, base: URL?
  ) async throws -> Answer {
    var request = APIRequest(.POST, path, safety: .idempotent)
    request.authenticated = false
    request.base = base
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
    request.body = Data(
      form.map { name, value in
        "\(name)=\(value.exposed.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
      }.joined(separator: "&").utf8)
    request.contentType = "application/x-www-form-urlencoded"
    return try await call(request, as: answer)
  }
}
