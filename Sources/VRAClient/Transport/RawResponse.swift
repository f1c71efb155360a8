import Foundation
import NIOHTTP1

/// One HTTP answer, fully read: what a single attempt produced.
struct RawResponse: Sendable {
  var status: Int
  var headers: HTTPHeaders
  var body: Data

  var isSuccess: Bool { (200..<300).contains(status) }

  /// The server's clock at the time of the answer (`Date` header).
  var serverDate: Date? { headers.first(name: "Date").flatMap(HTTPDate.parse) }

  /// The id vRA (or its proxy) gave this request, for finding it in vRA's logs.
  var vraRequestId: String? {
    for name in ["x-request-id", "vmware-request-id", "x-vmw-request-id", "x-correlation-id"] {
      if let value = headers.first(name: name), !value.isEmpty { return value }
    }
    return nil
  }
}
