import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes the connection instead of sending a response marked with
/// `dropConnectionHeader`: the simulated "connection lost after the server committed
/// the change" that forbids a client from blindly re-sending a create.
final class ConnectionDropHandler: ChannelOutboundHandler, RemovableChannelHandler {
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart

  static let dropConnectionHeader = HTTPField.Name("X-Sim-Drop-Connection")!

  private var dropping = false

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    let part = unwrapOutboundIn(data)
    if case .head(let head) = part, head.headerFields[Self.dropConnectionHeader] != nil {
      dropping = true
      promise?.fail(ChannelError.ioOnClosedChannel)
      context.close(mode: .all, promise: nil)
      return
    }
    if dropping {
      promise?.fail(ChannelError.ioOnClosedChannel)
      return
    }
    context.write(data, promise: promise)
  }
}
