import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The open client connections, shared by every connection's ``ConnectionLimitHandler``.
final class ConnectionCount: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection; false when that one is over the limit (it still counts
    /// until ``leave()``, so the count stays exact).
    func enter() -> Bool { open.add(1, ordering: .relaxed).newValue <= limit }
    func leave() { open.subtract(1, ordering: .relaxed) }
    var current: Int { open.load(ordering: .relaxed) }
}

/// Past `listen.max_connections` open connections, a new one's first request is answered at
/// once with 503 (`Retry-After: 1`, an OpenAI-shaped body saying why) and the connection is
/// closed, instead of the gateway taking on without bound what every connection costs (its
/// buffers, its deadlines, a file descriptor).
final class ConnectionLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let count: ConnectionCount
    private var counted = false
    private var over = false
    private var refused = false

    init(_ count: ConnectionCount) {
        self.count = count
    }

    func handlerAdded(context: ChannelHandlerContext) {
        counted = true
        over = !count.enter()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if counted { count.leave() }
        counted = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard over else { return context.fireChannelRead(data) }
        // The request goes no further; its first part is answered, the rest ignored.
        guard case .head = unwrapInboundIn(data), !refused else { return }
        refused = true
        let refusal = GatewayError(
            .upstreamUnavailable,
            "The gateway is at its limit of \(count.limit) open connections (listen.max_connections); try again shortly."
        )
        let body = OpenAIErrorBody.body(for: refusal)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.readableBytes)
        fields[.retryAfter] = "1"
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .serviceUnavailable, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
