import Foundation
import Governance
import HTTPTypes
import Hummingbird
import JSONWire
import LocalLLM
import NIOCore

/// What every wire format does alike with a host's answer: send, read, settle. The host slot,
/// the metrics and the request's log line are settled exactly once, whatever happens.
extension GatewayRuntime {
    /// A failure to show the client, and how the exchange ended.
    struct RelayFailure: Error {
        var error: GatewayError
        var outcome: ExchangeOutcome
    }

    /// Sends a JSON body to the target's pool (with failover), mapping failures to client errors.
    func send(
        _ path: String,
        _ body: JSONValue,
        to target: ModelRouter.Target,
        affinity: String?,
        streaming: Bool
    ) async throws(GatewayError) -> UpstreamReply {
        do {
            return try await upstream.post(
                path: path,
                body: Self.encode(body),
                pool: target.pool,
                affinityKey: affinity,
                streaming: streaming,
                logger: logger
            )
        } catch {
            metrics.upstreamAttemptFailed(host: error.hostID ?? target.pool.name, code: error.code.rawValue)
            throw GatewayError(error)
        }
    }

    /// A host's non-2xx answer as the client's error: a 4xx keeps its status and the host's
    /// message (the host judged the request: a context overflow stays a 400); anything else is
    /// a host failure. Releases the host slot.
    func refusal(from reply: UpstreamReply) async -> RelayFailure {
        let body = (try? await reply.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
        let hostMessage = Self.errorMessage(in: body)
        if (400..<500).contains(reply.status) {
            reply.finish(.success)
            let kind: GatewayError.Kind =
                switch reply.status {
                case 401: .authentication
                case 403: .permission
                case 404: .modelNotFound
                case 413: .tooLarge
                case 429: .rateLimited
                default: .invalidRequest
                }
            let message = hostMessage ?? "The inference host refused the request (\(reply.status))."
            return RelayFailure(error: GatewayError(kind, message, status: reply.status), outcome: .upstreamRefused)
        }
        reply.finish(.failure)
        metrics.upstreamAttemptFailed(host: reply.hostID, code: "status_\(reply.status)")
        let message = "The inference host \(reply.hostID) answered \(reply.status): \(hostMessage ?? "no detail")."
        return RelayFailure(error: GatewayError(.upstreamFailed, message), outcome: .upstreamError)
    }

    /// Reads a whole (non-streamed) answer and releases the host slot.
    func answer(_ reply: UpstreamReply) async throws(RelayFailure) -> ByteBuffer {
        do {
            let body = try await collect(reply)
            reply.finish(.success)
            return body
        } catch let error as UpstreamError {
            reply.finish(.failure)
            throw RelayFailure(error: GatewayError(error), outcome: .upstreamError)
        } catch {
            reply.finish(.neutral)
            throw RelayFailure(error: GatewayError(.internal, "The response could not be relayed."), outcome: .clientCancelled)
        }
    }

    /// How a relayed stream ended on the host's side.
    struct StreamEnd {
        var hostOutcome: UpstreamHost.Outcome
        /// The stream's closing bytes (`data: [DONE]`, `message_stop`, …), held back until the
        /// audit record is committed: a client that saw the end of a stream has its record.
        var closing: ByteBuffer?
        var firstWrite: ContinuousClock.Instant?
        var usage: TokenUsage
        /// The output filter's findings and time, when governance is on.
        var governance: StreamGovernance?
    }

    /// The governance state a stream relay carries: findings so far, the placeholders of this
    /// exchange, and the time spent filtering (one `output_filter` step per stream).
    struct StreamGovernance {
        var report: GovernanceReport
        var book: PlaceholderBook
        var elapsed: Duration = .zero

        init(_ exchange: Exchange) {
            report = exchange.report
            book = exchange.book
        }

        mutating func measure<T>(_ body: (inout GovernanceReport, inout PlaceholderBook) -> T) -> T {
            let start = ContinuousClock.now
            defer { elapsed += .now - start }
            return body(&report, &book)
        }

        func filtered(_ block: PolicyBlock) -> StreamFiltered {
            StreamFiltered(error: GatewayError(block), governance: self)
        }
    }

    /// The output filter ended a stream on a `block`.
    struct StreamFiltered: Error {
        var error: GatewayError
        var governance: StreamGovernance
    }

    /// Runs a stream relay, then settles everything. A host failure after the stream started
    /// ends it with `errorEvent` (each wire format's own); a client that went away cancels the
    /// host's generation and is logged as `client-cancelled`.
    ///
    /// - relay: writes the stream but its closing bytes; returns how it ended.
    func settleStream(
        _ reply: UpstreamReply,
        exchange original: Exchange,
        writer: inout any ResponseBodyWriter,
        errorEvent: (GatewayError) -> ByteBuffer,
        relay: (inout any ResponseBodyWriter) async throws -> StreamEnd
    ) async throws {
        var exchange = original
        do {
            let end = try await relay(&writer)
            reply.finish(end.hostOutcome)
            exchange.firstByte = end.firstWrite
            exchange.usage = end.usage
            if let governance = end.governance {
                exchange.report = governance.report
                metrics.stepFinished(Step.outputFilter.rawValue, duration: governance.elapsed)
            }
            if await exchange.finish(status: 200, outcome: .completed, runtime: self) {
                if let closing = end.closing, closing.readableBytes > 0 { try await writer.write(closing) }
            } else {
                try await writer.write(errorEvent(Self.auditFailure))
            }
        } catch let filtered as StreamFiltered {
            // The policy blocks what the host was generating: stop reading (the host's
            // generation is cancelled) and end the stream with the format's error event.
            reply.finish(.neutral)
            exchange.report = filtered.governance.report
            metrics.stepFinished(Step.outputFilter.rawValue, duration: filtered.governance.elapsed)
            await exchange.finish(status: 200, outcome: .filtered, runtime: self)
            try await writer.write(errorEvent(filtered.error))
        } catch let error as UpstreamError {
            reply.finish(.failure)
            metrics.upstreamAttemptFailed(host: reply.hostID, code: error.code.rawValue)
            await exchange.finish(status: 200, outcome: .upstreamError, runtime: self)
            try await writer.write(errorEvent(GatewayError(error)))
        } catch is SSEParser.EventTooLarge {
            reply.finish(.failure)
            await exchange.finish(status: 200, outcome: .upstreamError, runtime: self)
            try await writer.write(errorEvent(GatewayError(.upstreamFailed, "The inference host sent an oversized stream event.")))
        } catch {
            // The client went away (or the server is stopping): the host's generation is cancelled.
            reply.finish(.neutral)
            await exchange.finish(status: 499, outcome: .clientCancelled, runtime: self)
            throw error
        }
        try await writer.finish(nil)
    }

    /// What a client gets instead of a complete answer whose audit record could not be committed.
    static let auditFailure = GatewayError(
        .governanceUnavailable,
        "The audit log cannot be written, so the response is withheld (see the service log)."
    )

    /// Relays a host's answer unchanged: a JSON body as is, an SSE stream event by event (whole
    /// events only, one write per upstream chunk; the closing event after the audit record).
    /// `fail` renders refusals and failures before the stream starts, `errorEvent` failures
    /// after it started, each in the caller's format.
    func relayUnchanged(
        _ reply: UpstreamReply,
        streaming: Bool,
        exchange original: Exchange,
        fail: (RelayFailure, Exchange) async -> Response,
        errorEvent: @escaping @Sendable (GatewayError) -> ByteBuffer
    ) async -> Response {
        var exchange = original.answered(by: reply.hostID)
        guard (200..<300).contains(reply.status) else {
            return await fail(await refusal(from: reply), exchange)
        }
        guard streaming else {
            var body: ByteBuffer
            do {
                body = try await answer(reply)
            } catch {
                return await fail(error, exchange)
            }
            exchange.usage.take(from: String(buffer: body))
            if exchange.inspector != nil {
                guard var json = Self.decode(body) else {
                    let error = GatewayError(.upstreamFailed, "The inference host \(reply.hostID) sent a response that is not JSON.")
                    return await fail(RelayFailure(error: error, outcome: .upstreamError), exchange)
                }
                do {
                    // Re-encoded only when something was redacted: otherwise the host's bytes go out as they came.
                    if try inspectResponse(&json, exchange: &exchange) { body = Self.encode(json) }
                } catch {
                    return await fail(RelayFailure(error: error, outcome: .filtered), exchange)
                }
            }
            guard await exchange.finish(status: reply.status, outcome: .completed, runtime: self) else {
                return await fail(RelayFailure(error: Self.auditFailure, outcome: .notRecorded), exchange)
            }
            return Response(status: .init(code: reply.status), headers: Self.jsonHeaders(exchange), body: .init(byteBuffer: body))
        }
        let runtime = self
        let recorded = exchange
        return Response(
            status: .ok,
            headers: Self.streamHeaders(exchange),
            body: ResponseBody { writer in
                try await runtime.settleStream(reply, exchange: recorded, writer: &writer, errorEvent: errorEvent) { writer in
                    var parser = SSEParser()
                    var end = StreamEnd(hostOutcome: .success, usage: TokenUsage())
                    var output = runtime.streamFilter(recorded).map(AnthropicEventFilter.init)
                    var governance = StreamGovernance(recorded)
                    let timeouts = runtime.configuration.timeouts
                    try await StreamRelay.relay(reply.body, idle: timeouts.idle, total: timeouts.total, hostID: reply.hostID) { chunk in
                        let events = try parser.feed(chunk)
                        guard !events.isEmpty else { return }
                        var batch = ByteBuffer()
                        for event in events {
                            if let data = event.data {
                                if data == "[DONE]" || event.name == "message_stop" {
                                    end.closing = event.raw
                                    continue
                                }
                                end.usage.take(from: data)
                                if output != nil {
                                    switch governance.measure({ output!.filter(name: event.name, data: data, report: &$0, book: &$1) }) {
                                    case .forward: break
                                    case .replace(let events):
                                        batch.writeString(events)
                                        continue
                                    case .drop: continue
                                    case .block(let error):
                                        if batch.readableBytes > 0 { try await writer.write(batch) }
                                        throw governance.filtered(error)
                                    }
                                }
                            }
                            batch.writeImmutableBuffer(event.raw)
                        }
                        guard batch.readableBytes > 0 else { return }
                        if end.firstWrite == nil { end.firstWrite = .now }
                        try await writer.write(batch)
                    }
                    if let tail = parser.finish() { try await writer.write(tail.raw) }
                    if output != nil { end.governance = governance }
                    return end
                }
            }
        )
    }

    static func streamHeaders(_ exchange: Exchange) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[.requestID] = exchange.id
        return headers
    }

    static func jsonHeaders(_ exchange: Exchange) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.requestID] = exchange.id
        return headers
    }

    /// `error.message` (OpenAI), `message` or `detail` from a host's JSON error body.
    static func errorMessage(in body: ByteBuffer) -> String? {
        guard let json = decode(body) else {
            let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : String(text.prefix(300))
        }
        return json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? json["message"]?.stringValue
            ?? json["detail"]?.stringValue
    }
}
