import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// A request the HTTP/1 parser refuses (a malformed request line or header, a header too large)
/// gets a 400 with an OpenAI-shaped JSON body naming the problem, then the connection is closed
/// (after a parse error the byte stream cannot be trusted to find the next request). Without
/// it the client would get an empty 400. The path is unknown at that point, so the shape is
/// OpenAI's, the gateway's default.
final class ParserErrorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private var refused = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !refused else {
            context.fireErrorCaught(error)
            return
        }
        refused = true
        let status: HTTPResponse.Status = parserError == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
        let refusal = GatewayError(.invalidRequest, "The request is not valid HTTP/1.1 (\(parserError)).", status: status.code)
        let body = OpenAIErrorBody.body(for: refusal)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
