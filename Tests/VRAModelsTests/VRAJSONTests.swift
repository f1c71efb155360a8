import Foundation
import Testing
import VRAModels

@Suite struct VRAJSONTests {
  @Test func timestampsKeepMillisecondsInUTC() throws {
    let date = try #require(VRAJSON.parseTimestamp("2019-07-13T23:16:49.310Z"))
    #expect(VRAJSON.formatTimestamp(date) == "2019-07-13T23:16:49.310Z")
  }

  @Test func timestampsWithoutFractionAreAccepted() throws {
    let date = try #require(VRAJSON.parseTimestamp("2019-07-13T23:16:49Z"))
    #expect(VRAJSON.formatTimestamp(date) == "2019-07-13T23:16:49.000Z")
  }

  @Test func garbageTimestampFailsDecodingWithThePath() {
    let json = #"{"id":"d1","name":"x","createdAt":"yesterday"}"#
    #expect(throws: DecodingError.self) {
      try VRAJSON.makeDecoder().decode(Deployment.self, from: Data(json.utf8))
    }
  }

  @Test func jsonValueRoundTripsEveryKind() throws {
    let value: JSONValue = [
      "string": "text", "int": 42, "double": 2.5, "bool": true, "null": nil,
      "array": [1, "two", false], "object": ["nested": ["deep": 1]],
    ]
    let data = try VRAJSON.makeEncoder().encode(value)
    #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
  }

  @Test func serviceErrorShouldRetryReadsDetails() throws {
    let json = #"{"message":"busy","statusCode":503,"errorCode":10001,"details":["SHOULD_RETRY"]}"#
    let error = try JSONDecoder().decode(ServiceErrorResponse.self, from: Data(json.utf8))
    #expect(error.shouldRetry)
    let plain = #"{"message":"bad","statusCode":400}"#
    #expect(try !JSONDecoder().decode(ServiceErrorResponse.self, from: Data(plain.utf8)).shouldRetry)
  }
}
