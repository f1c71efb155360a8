import Credentials
import Testing
import VRAModels

@testable import VRAClient

@Suite("Redactor")
struct RedactorTests {
  @Test("known values, bearer headers, JWTs and sensitive fields are hidden")
  func redacts() {
    let redactor = Redactor()
    redactor.register("s3cr3t-refresh-value")
    #expect(!redactor.redact("token s3cr3t-refresh-value leaked").contains("s3cr3t"))
    #expect(redactor.redact("Authorization: Bearer abc.def-ghi") == "Authorization: Bearer <redacted>")
    #expect(redactor.redact("got eyJhbGciOi.eyJzdWIiOi.c2ln here") == "got <redacted> here")
    #expect(
      redactor.redact(#"{"username":"admin","password":"p@ss \"quoted\"","adminPassword":"x1"}"#)
        == #"{"username":"admin","password":"<redacted>","adminPassword":"<redacted>"}"#)
    #expect(redactor.redact("refresh_token=abc&scope=openid") == "refresh_token=<redacted>&scope=openid")
    #expect(redactor.redact("plain message, nothing secret") == "plain message, nothing secret")
  }

  @Test("extra sensitive field names are hidden, whatever their case, digits or dashes")
  func extraFields() {
    let redactor = Redactor(sensitiveNames: ["licenseKey", "vm-license2"])
    #expect(
      redactor.redact(#"{"LICENSEKEY":"abc","vm-license2":"def","size":"small"}"#)
        == #"{"LICENSEKEY":"<redacted>","vm-license2":"<redacted>","size":"small"}"#)
    #expect(redactor.redact("vm-license2=xyz&size=small") == "vm-license2=<redacted>&size=small")
    #expect(Redactor().redact(#"{"licenseKey":"abc"}"#) == #"{"licenseKey":"abc"}"#)
  }

  @Test("JSON: strings are scrubbed by value, keys named like secrets or registered are masked")
  func json() {
    let redactor = Redactor()
    redactor.register("canary-Json-55")
    redactor.registerSensitiveNames(["dbPass"])
    let value: JSONValue = .object([
      "note": .string("x canary-Json-55 y"), "DBPASS": .int(8443), "adminPassword": .string("short"),
      "nested": .array([.object(["token": .string("t"), "size": .string("small")])]), "secretless": .null,
    ])
    #expect(
      redactor.redact(value)
        == .object([
          "note": .string("x <redacted> y"), "DBPASS": .string("<redacted>"), "adminPassword": .string("<redacted>"),
          "nested": .array([.object(["token": .string("<redacted>"), "size": .string("small")])]),
          "secretless": .null,
        ]))
  }

  @Test("values registered for good outlive hundreds of access tokens")
  func permanentValues() {
    let redactor = Redactor()
    redactor.register("canary-Keep-56")
    for index in 0..<300 { redactor.registerExpiring(Secret("access-token-\(index)")) }
    #expect(redactor.redact("canary-Keep-56 access-token-299") == "<redacted> <redacted>")
    #expect(redactor.redact("access-token-0") == "access-token-0", "the oldest tokens are let go")
  }

  @Test("a value is hidden as written inside JSON text and in a form body too")
  func escapedForms() {
    let redactor = Redactor()
    redactor.register(Secret(#"pa/ss"w\rd-1"#))
    #expect(
      redactor.redact(#"{"note":"pa\/ss\"w\\rd-1 and pa/ss\"w\\rd-1"}"#) == #"{"note":"<redacted> and <redacted>"}"#)
    #expect(redactor.redact("x=pa%2Fss%22w%5Crd-1&y=1") == "x=<redacted>&y=1")
    #expect(redactor.redact(#"raw pa/ss"w\rd-1"#) == "raw <redacted>")
  }
}
