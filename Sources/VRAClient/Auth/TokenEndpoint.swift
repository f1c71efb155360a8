import Credentials
import Foundation

/// What a token provider needs from the client: unauthenticated POSTs to the token
/// endpoints, with the client's transport, retries, logging and error taxonomy.
protocol TokenEndpoint: Sendable {
  func postJSON<Body: Encodable & Sendable, Answer: Decodable & Sendable>(
    _ path: String, query: [(String, String?)], body: Body, as answer: Answer.Type, base: URL?
  ) async throws -> Answer

  func postForm<Answer: Decodable & Sendable>(
    _ path: String, form: [(String, Secret)], as answer: Answer.Type, base: URL?
  ) async throws -> Answer
}
