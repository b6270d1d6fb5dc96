import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a client connection that holds the gateway without using it, per connection and on
/// its own event loop (one scheduled task at a time, no `Task`):
///
/// - a new connection must deliver a whole request head within `header` (one header byte every
///   few seconds, slowloris, does not keep it open);
/// - a request's body must arrive whole within `body` of its head;
/// - between requests, a kept-alive connection may stay silent for `idle` at most.
///
/// While the gateway is answering (from the request's end to the response's end) no deadline
/// runs: a long stream is the upstream timeouts' business. Sits after the HTTP/1 decoder and
/// before the request handling, so it sees whole heads, not bytes.
///
/// A response that ends before its request's body did (413 for a body over the limit, 401
/// before reading it) says `Connection: close` and closes once written, instead of leaving the
/// client sending a body nobody reads, or waiting for a close that never comes.
final class ClientDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Deadlines: Sendable, Equatable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
    }

    private let deadlines: Deadlines
    /// When the connection is closed unless the phase it is in ends first; nil while answering.
    private var deadline: NIODeadline?
    /// The one timer of the connection, if any: it fires at or before `deadline` and re-arms
    /// itself for a later one, so a request moves deadlines by storing an instant, not by
    /// scheduling and cancelling a task.
    private var timer: Scheduled<Void>?
    private var timerFires: NIODeadline?
    /// Requests whose response has not ended yet (HTTP/1 pipelining may queue more than one).
    private var unanswered = 0
    /// Between a request's head and its end.
    private var readingBody = false

    init(_ deadlines: Deadlines) {
        self.deadlines = deadlines
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(deadlines.header, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(deadlines.header, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingBody = true
            arm(deadlines.body, context: context)
        case .body:
            break
        case .end:
            readingBody = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where readingBody:
            response.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .end where readingBody:
            disarm()
            let channel = context.channel
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            context.writeAndFlush(data, promise: written)
        case .end:
            unanswered = max(0, unanswered - 1)
            if unanswered == 0 { arm(deadlines.idle, context: context) }
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        let due = NIODeadline.now() + timeout
        deadline = due
        if let fires = timerFires, fires <= due { return }
        schedule(at: due, context: context)
    }

    private func schedule(at due: NIODeadline, context: ChannelHandlerContext) {
        timer?.cancel()
        timerFires = due
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: due) {
            let (handler, context) = loopBound.value
            handler.fire(context: context)
        }
    }

    private func fire(context: ChannelHandlerContext) {
        timer = nil
        timerFires = nil
        guard let deadline else { return }
        if deadline <= .now() {
            context.close(promise: nil)
        } else {
            schedule(at: deadline, context: context)
        }
    }

    private func disarm() {
        deadline = nil
    }

    private func stopTimer() {
        deadline = nil
        timer?.cancel()
        timer = nil
        timerFires = nil
    }
}
