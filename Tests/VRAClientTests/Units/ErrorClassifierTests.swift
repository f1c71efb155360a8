import Credentials
import Foundation
import NIOHTTP1
import Testing

@testable import VRAClient

@Suite("Error taxonomy")
struct ErrorClassifierTests {
  static func classify(
    _ status: Int, _ body: String, path: String = "/deployment/api/deployments/x",
    headers: HTTPHeaders = [:], method: HTTPMethod = .GET
  ) -> VRAError {
    ErrorClassifier.classify(
      RawResponse(status: status, headers: headers, body: Data(body.utf8)),
      request: APIRequest(method, path), attempts: 1, redactor: Redactor())
  }

  @Test("statuses map to classes, with vRA's ids kept")
  func classes() {
    let notFound = Self.classify(
      404,
      #"{"message":"Deployment not found","statusCode":404,"errorCode":10404,"messageId":"error.not.found","serverErrorId":"abc"}"#
    )
    #expect(notFound.errorClass == .notFound)
    #expect(notFound.errorCode == 10404)
    #expect(notFound.serverErrorId == "abc")
    #expect(notFound.hint != nil)
    #expect(notFound.severity == .warning)
    #expect(Self.classify(403, #"{"message":"Forbidden"}"#).errorClass == .forbidden)
    #expect(Self.classify(409, #"{"message":"busy"}"#).errorClass == .conflict)
    #expect(Self.classify(500, #"{"message":"boom"}"#).errorClass == .server)
    #expect(
      Self.classify(429, "{}", headers: ["Retry-After": "3"]).errorClass == .rateLimited(retryAfter: .seconds(3)))
    #expect(Self.classify(502, "<html>bad gateway</html>").message.contains("bad gateway"))
  }

  @Test("a duplicate name is a conflict, a bad input a validation error with each message")
  func validationAndConflict() {
    let duplicate = Self.classify(
      400, #"{"message":"Deployment with name 'web' already exists","statusCode":400}"#,
      path: "/blueprint/api/blueprint-requests", method: .POST)
    #expect(duplicate.errorClass == .conflict)
    let invalid = Self.classify(
      400,
      #"{"message":"Invalid request","validationMessages":[{"message":"must be at most 4","path":"inputs.count","type":"ERROR"}]}"#,
      path: "/blueprint/api/blueprint-requests", method: .POST)
    #expect(invalid.errorClass == .validation(messages: ["inputs.count: must be at most 4"]))
    #expect(invalid.retryable == false)
  }

  @Test("a token endpoint refusing the refresh token is unauthorized with the token hint")
  func tokenEndpoint() {
    let error = Self.classify(
      400, #"{"message":"Invalid refresh token","errorCode":10400}"#, path: "/iaas/api/login", method: .POST)
    #expect(error.errorClass == .unauthorized)
    #expect(error.severity == .critical)
    #expect(error.hint?.contains("API token") == true)
  }
}
