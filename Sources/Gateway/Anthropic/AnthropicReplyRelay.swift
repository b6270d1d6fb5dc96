import Foundation
import Hummingbird
import JSONWire
import LocalLLM
import NIOCore
import NIOFoundationEssentialsCompat
import WireTranslation

/// Turns a host's answer into the client's Anthropic response: translated from OpenAI chat
/// completions (JSON or an event stream built by ``AnthropicStreamTranslator``), or passed
/// through from a host that speaks Anthropic itself.
struct AnthropicReplyRelay {
    let runtime: GatewayRuntime

    /// - matchStopSequences: the host was not given `stop_sequences`; the gateway applies them.
    func translated(
        _ reply: UpstreamReply,
        request: AnthropicRequest,
        messageID: String,
        inputTokens: Int64,
        matchStopSequences: Bool,
        pool: UpstreamPool?,
        exchange original: Exchange
    ) async -> Response {
        var exchange = original.answered(by: reply.hostID)
        guard (200..<300).contains(reply.status) else {
            let failure = await runtime.refusal(from: reply)
            return await fail(failure.error, exchange: exchange, outcome: failure.outcome)
        }
        guard request.streaming else {
            do {
                let body = try await runtime.answer(reply)
                guard let completion = OpenAICompletion(parsing: body) else {
                    let error = GatewayError(
                        .upstreamFailed,
                        "The inference host \(reply.hostID) sent a response that is not a chat completion."
                    )
                    return await fail(error, exchange: exchange, outcome: .upstreamError)
                }
                exchange.usage = TokenUsage(input: completion.usage?.promptTokens, output: completion.usage?.completionTokens)
                var message = OpenAIToAnthropic.message(
                    completion,
                    request: request,
                    messageID: messageID,
                    matchStopSequences: matchStopSequences
                )
                do {
                    try runtime.inspectResponse(&message, exchange: &exchange)
                } catch {
                    return await fail(error, exchange: exchange, outcome: .filtered)
                }
                guard await exchange.finish(status: 200, outcome: .completed, runtime: runtime) else {
                    return await fail(GatewayRuntime.auditFailure, exchange: exchange, outcome: .notRecorded)
                }
                return Response(
                    status: .ok,
                    headers: GatewayRuntime.jsonHeaders(exchange),
                    body: .init(byteBuffer: GatewayRuntime.encode(message))
                )
            } catch {
                return await fail(error.error, exchange: exchange, outcome: error.outcome)
            }
        }
        let runtime = self.runtime
        let recorded = exchange
        return Response(
            status: .ok,
            headers: GatewayRuntime.streamHeaders(exchange),
            body: ResponseBody { writer in
                try await runtime.settleStream(reply, exchange: recorded, writer: &writer, errorEvent: AnthropicErrorBody.streamEvent) {
                    writer in
                    var translator = AnthropicStreamTranslator(
                        request: request,
                        messageID: messageID,
                        inputTokens: inputTokens,
                        matchStopSequences: matchStopSequences
                    )
                    // `message_start` goes out with the first events (or the first ping), and the
                    // closing events with the last ones: one write where the host sent one chunk.
                    var pending: ByteBuffer? = Self.encode(translator.start())
                    var firstWrite: ContinuousClock.Instant?
                    var output = runtime.streamFilter(recorded).map(OpenAIChunkFilter.init)
                    var governance = GatewayRuntime.StreamGovernance(recorded)
                    do {
                        try await relayTranslating(
                            reply,
                            into: &writer,
                            translator: &translator,
                            output: &output,
                            governance: &governance,
                            pending: &pending,
                            firstWrite: &firstWrite
                        )
                    } catch is StopSequenceReached {
                        // The message ended at a stop sequence; reading stopped, the host's generation is cancelled.
                    }
                    if output != nil {
                        // Text still held when the host's stream ended without a finish reason.
                        switch governance.measure({ output!.flush(report: &$0, book: &$1) }) {
                        case .replace(let data):
                            if let chunk = OpenAIStreamChunk(parsing: data) {
                                Self.encode(translator.feed(chunk), into: &pending.lazyInit)
                            }
                        case .block(let error): throw governance.filtered(error)
                        case .forward, .drop, nil: break
                        }
                    }
                    guard translator.sawFinish else {
                        throw UpstreamError(
                            .streamInterrupted,
                            "the host's stream ended before the message was complete",
                            hostID: reply.hostID
                        )
                    }
                    if !translator.sawUsage, let pool {
                        let counted = await runtime.tokenizer.count(text: translator.generated, pool: pool, hostID: reply.hostID)
                        translator.countedOutput(counted.tokens)
                    }
                    var closing = pending ?? ByteBuffer()
                    Self.encode(translator.finish(), into: &closing)
                    return GatewayRuntime.StreamEnd(
                        hostOutcome: translator.stoppedAtSequence ? .neutral : .success,
                        closing: closing,
                        firstWrite: firstWrite ?? .now,
                        usage: TokenUsage(input: translator.inputTokens, output: translator.outputTokens),
                        governance: output == nil ? nil : governance
                    )
                }
            }
        )
    }

    /// Reads the host's OpenAI chunks and writes the translated Anthropic events, with a `ping`
    /// after each `keepalive` of silence.
    private func relayTranslating(
        _ reply: UpstreamReply,
        into writer: inout any ResponseBodyWriter,
        translator: inout AnthropicStreamTranslator,
        output: inout OpenAIChunkFilter?,
        governance: inout GatewayRuntime.StreamGovernance,
        pending: inout ByteBuffer?,
        firstWrite: inout ContinuousClock.Instant?
    ) async throws {
        var parser = SSEParser()
        let timeouts = runtime.configuration.timeouts
        try await StreamRelay.relay(
            reply.body,
            idle: timeouts.idle,
            total: timeouts.total,
            hostID: reply.hostID,
            heartbeat: timeouts.keepAlive
        ) { chunk in
            var batch = pending ?? ByteBuffer()
            pending = nil
            if chunk.readableBytes == 0 {
                translator.ping.write(to: &batch)
                try await writer.write(batch)
                return
            }
            var events: [AnthropicEvent] = []
            for event in try parser.feed(chunk) {
                guard let data = event.data else { continue }
                // The closing events go out after the stream, once the audit record is committed.
                if data == "[DONE]" { continue }
                var text = data
                if output != nil {
                    switch governance.measure({ output!.filter(data, report: &$0, book: &$1) }) {
                    case .forward: break
                    case .replace(let filtered): text = filtered
                    case .drop: continue
                    case .block(let error):
                        Self.encode(events, into: &batch)
                        if batch.readableBytes > 0 { try await writer.write(batch) }
                        throw governance.filtered(error)
                    }
                }
                guard let chunk = OpenAIStreamChunk(parsing: text) else { continue }
                if let error = chunk.error {
                    throw UpstreamError(.streamInterrupted, error.message ?? "the host reported an error mid-stream", hostID: reply.hostID)
                }
                events += translator.feed(chunk)
                if translator.stoppedAtSequence { break }
            }
            Self.encode(events, into: &batch)
            if batch.readableBytes > 0 {
                if !events.isEmpty && firstWrite == nil { firstWrite = .now }
                try await writer.write(batch)
            }
            // A stop sequence ended the message: stop reading, which cancels the host's generation.
            if translator.stoppedAtSequence { throw StopSequenceReached() }
        }
    }

    /// A host that speaks Anthropic Messages: its JSON or events go to the client unchanged.
    func passThrough(_ reply: UpstreamReply, streaming: Bool, exchange: Exchange) async -> Response {
        await runtime.relayUnchanged(
            reply,
            streaming: streaming,
            exchange: exchange,
            fail: { failure, exchange in await fail(failure.error, exchange: exchange, outcome: failure.outcome) },
            errorEvent: AnthropicErrorBody.streamEvent
        )
    }

    func fail(_ error: GatewayError, exchange: Exchange, outcome: ExchangeOutcome) async -> Response {
        await exchange.finish(status: AnthropicErrorBody.status(for: error), outcome: outcome, runtime: runtime)
        return AnthropicErrorBody.response(for: error, requestID: exchange.id)
    }

    static func encode(_ events: [AnthropicEvent]) -> ByteBuffer {
        var buffer = ByteBuffer()
        encode(events, into: &buffer)
        return buffer
    }

    static func encode(_ events: [AnthropicEvent], into buffer: inout ByteBuffer) {
        for event in events { event.write(to: &buffer) }
    }
}

/// Ends the relay of a stream whose message reached a stop sequence.
private struct StopSequenceReached: Error {}

extension Optional where Wrapped == ByteBuffer {
    /// The buffer, created empty first if there is none.
    var lazyInit: ByteBuffer {
        get { self ?? ByteBuffer() }
        set { self = newValue }
    }
}
