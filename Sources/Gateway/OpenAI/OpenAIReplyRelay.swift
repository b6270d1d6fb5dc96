import Hummingbird
import JSONWire
import LocalLLM
import NIOCore

/// Turns an answer from a host (or the echo model) into the client's response in OpenAI's
/// format: the host's JSON body, or its SSE stream relayed event by event. Errors after the
/// stream has started become one `data: {"error": …}` event, so the SDKs raise instead of
/// hanging.
struct OpenAIReplyRelay {
    let runtime: GatewayRuntime

    /// A streamed chat completion, normalised to OpenAI's shape (``OpenAIStreamNormalizer``):
    /// tool-call deltas without repeats, and usage counted on the host's tokenizer when the host
    /// reports none (sent as the last chunk when the client asked with `include_usage`).
    /// - includeUsage: whether the client asked for a usage chunk (the host is always asked).
    func chatStream(
        _ reply: UpstreamReply,
        request: JSONValue,
        includeUsage: Bool,
        target: ModelRouter.Target,
        exchange original: Exchange
    ) async -> Response {
        let exchange = original.answered(by: reply.hostID)
        guard (200..<300).contains(reply.status) else {
            let failure = await runtime.refusal(from: reply)
            return await fail(failure.error, exchange: exchange, outcome: failure.outcome)
        }
        let runtime = self.runtime
        return Response(
            status: .ok,
            headers: GatewayRuntime.streamHeaders(exchange),
            body: ResponseBody { writer in
                try await runtime.settleStream(reply, exchange: exchange, writer: &writer, errorEvent: OpenAIErrorBody.streamEvent) {
                    writer in
                    var parser = SSEParser()
                    var normalizer = OpenAIStreamNormalizer(clientWantsUsage: includeUsage)
                    var output = runtime.streamFilter(exchange).map(OpenAIChunkFilter.init)
                    var governance = GatewayRuntime.StreamGovernance(exchange)
                    var end = GatewayRuntime.StreamEnd(hostOutcome: .success, usage: TokenUsage())
                    let timeouts = runtime.configuration.timeouts
                    try await StreamRelay.relay(reply.body, idle: timeouts.idle, total: timeouts.total, hostID: reply.hostID) { chunk in
                        var batch = ByteBuffer()
                        for event in try parser.feed(chunk) {
                            guard let data = event.data else {
                                batch.writeImmutableBuffer(event.raw)
                                continue
                            }
                            if data == "[DONE]" {
                                end.closing = event.raw
                                continue
                            }
                            end.usage.take(from: data)
                            var forwarded: String?
                            switch normalizer.normalize(data) {
                            case .forward: forwarded = data
                            case .replace(let rewritten): forwarded = rewritten
                            case .drop: forwarded = nil
                            }
                            guard var text = forwarded else { continue }
                            if output != nil {
                                switch governance.measure({ output!.filter(text, report: &$0, book: &$1) }) {
                                case .forward: break
                                case .replace(let filtered): text = filtered
                                case .drop: continue
                                case .block(let error):
                                    if batch.readableBytes > 0 { try await writer.write(batch) }
                                    throw governance.filtered(error)
                                }
                            }
                            if text == data && forwarded == data {
                                batch.writeImmutableBuffer(event.raw)
                            } else {
                                batch.writeString("data: \(text)\n\n")
                            }
                        }
                        guard batch.readableBytes > 0 else { return }
                        if end.firstWrite == nil { end.firstWrite = .now }
                        try await writer.write(batch)
                    }
                    if let tail = parser.finish() { try await writer.write(tail.raw) }
                    if output != nil {
                        switch governance.measure({ output!.flush(report: &$0, book: &$1) }) {
                        case .replace(let filtered): try await writer.write(ByteBuffer(string: "data: \(filtered)\n\n"))
                        case .block(let error): throw governance.filtered(error)
                        case .forward, .drop, nil: break
                        }
                    }
                    if output != nil { end.governance = governance }
                    if !normalizer.sawUsage, target.pool.kind != .echo {
                        let text = normalizer.completionText()
                        let completion = await runtime.tokenizer.count(text: text, pool: target.pool, hostID: reply.hostID)
                        let prompt = await runtime.tokenizer.count(request, pool: target.pool, hostID: reply.hostID)
                        end.usage = TokenUsage(input: prompt.tokens, output: completion.tokens)
                        if includeUsage {
                            var closing = ByteBuffer(
                                string: "data: \(normalizer.usageChunk(prompt: prompt.tokens, completion: completion.tokens))\n\n"
                            )
                            if var done = end.closing { closing.writeBuffer(&done) }
                            end.closing = closing
                        }
                    }
                    return end
                }
            }
        )
    }

    /// An embeddings answer, passed on only when it has OpenAI's shape (``EmbeddingsShape``).
    func embeddings(_ reply: UpstreamReply, exchange original: Exchange) async -> Response {
        var exchange = original.answered(by: reply.hostID)
        guard (200..<300).contains(reply.status) else {
            let failure = await runtime.refusal(from: reply)
            return await fail(failure.error, exchange: exchange, outcome: failure.outcome)
        }
        let body: ByteBuffer
        do { body = try await runtime.answer(reply) } catch { return await fail(error.error, exchange: exchange, outcome: error.outcome) }
        if let problem = EmbeddingsShape.check(body) {
            let message =
                switch problem {
                case .perTokenVectors:
                    "The inference host \(reply.hostID) returned one vector per token instead of one per input; "
                        + "configure pooling on the host (llama.cpp: --pooling mean) or route embeddings to another pool."
                case .notEmbeddings:
                    "The inference host \(reply.hostID) sent a response that is not an embeddings list."
                }
            return await fail(GatewayError(.upstreamFailed, message), exchange: exchange, outcome: .upstreamError)
        }
        exchange.usage.take(from: String(buffer: body))
        guard await exchange.finish(status: reply.status, outcome: .completed, runtime: runtime) else {
            return await fail(GatewayRuntime.auditFailure, exchange: exchange, outcome: .notRecorded)
        }
        return Response(status: .init(code: reply.status), headers: GatewayRuntime.jsonHeaders(exchange), body: .init(byteBuffer: body))
    }

    /// A non-streamed chat completion: the host's JSON, its content scanned by the policy.
    func completion(_ reply: UpstreamReply, exchange: Exchange) async -> Response {
        await runtime.relayUnchanged(
            reply,
            streaming: false,
            exchange: exchange,
            fail: { failure, exchange in await fail(failure.error, exchange: exchange, outcome: failure.outcome) },
            errorEvent: OpenAIErrorBody.streamEvent
        )
    }

    func fail(_ error: GatewayError, exchange: Exchange, outcome: ExchangeOutcome) async -> Response {
        await exchange.finish(status: error.status, outcome: outcome, runtime: runtime)
        var response = OpenAIErrorBody.response(for: error)
        response.headers[.requestID] = exchange.id
        return response
    }
}
