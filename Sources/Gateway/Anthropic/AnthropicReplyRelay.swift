import Foundation
import HTTPTypes
import Hummingbird
import LocalLLM
import NIOCore

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
        exchange original: Exchange
    ) async -> Response {
        let exchange = original.answered(by: reply.hostID)
        guard (200..<300).contains(reply.status) else { return await upstreamError(reply, exchange: exchange) }
        guard request.streaming else {
            do {
                let body = try await runtime.collect(reply)
                reply.finish(.success)
                guard let completion = GatewayRuntime.decode(body), completion["choices"] != nil else {
                    return fail(
                        GatewayError(.upstreamFailed, "The inference host \(reply.hostID) sent a response that is not a chat completion."),
                        exchange: exchange,
                        outcome: "upstream-error"
                    )
                }
                exchange.finish(status: 200, outcome: "completed", runtime: runtime)
                let message = OpenAIToAnthropic.message(
                    completion,
                    request: request,
                    messageID: messageID,
                    matchStopSequences: matchStopSequences
                )
                return json(message, exchange: exchange)
            } catch let error as UpstreamError {
                reply.finish(.failure)
                return fail(GatewayError(error), exchange: exchange, outcome: "upstream-error")
            } catch {
                reply.finish(.neutral)
                return fail(GatewayError(.internal, "The response could not be relayed."), exchange: exchange, outcome: "client-cancelled")
            }
        }
        let runtime = self.runtime
        return Response(
            status: .ok,
            headers: streamHeaders(exchange),
            body: ResponseBody { writer in
                var translator = AnthropicStreamTranslator(
                    request: request,
                    messageID: messageID,
                    inputTokens: inputTokens,
                    matchStopSequences: matchStopSequences
                )
                var parser = SSEParser()
                let decoder = JSONDecoder()
                do {
                    try await writer.write(Self.encode(translator.start()))
                    do {
                        try await StreamRelay.relay(
                            reply.body,
                            idle: runtime.configuration.timeouts.idle,
                            total: runtime.configuration.timeouts.total,
                            hostID: reply.hostID,
                            heartbeat: runtime.configuration.timeouts.keepAlive
                        ) { chunk in
                            if chunk.readableBytes == 0 {
                                try await writer.write(translator.ping.encoded)
                                return
                            }
                            var events: [AnthropicEvent] = []
                            for event in try parser.feed(chunk) {
                                guard let data = event.data, data != "[DONE]" else { continue }
                                guard let chunk = try? decoder.decode(OpenAIStreamChunk.self, from: Data(data.utf8)) else { continue }
                                if let error = chunk.error {
                                    throw UpstreamError(
                                        .streamInterrupted,
                                        error.message ?? "the host reported an error mid-stream",
                                        hostID: reply.hostID
                                    )
                                }
                                events += translator.feed(chunk)
                                if translator.stoppedAtSequence { break }
                            }
                            if !events.isEmpty { try await writer.write(Self.encode(events)) }
                            // A stop sequence ended the message: stop reading, which cancels the host's generation.
                            if translator.stoppedAtSequence { throw StopSequenceReached() }
                        }
                    } catch is StopSequenceReached {
                        // The message ended at a stop sequence; reading stopped, the host's generation is cancelled.
                    }
                    guard translator.sawFinish else {
                        throw UpstreamError(
                            .streamInterrupted,
                            "the host's stream ended before the message was complete",
                            hostID: reply.hostID
                        )
                    }
                    try await writer.write(Self.encode(translator.finish()))
                    reply.finish(translator.stoppedAtSequence ? .neutral : .success)
                    exchange.finish(status: 200, outcome: "completed", runtime: runtime)
                } catch let error as UpstreamError {
                    reply.finish(.failure)
                    runtime.metrics.upstreamAttemptFailed(host: reply.hostID, code: error.code.rawValue)
                    exchange.finish(status: 200, outcome: "upstream-error", runtime: runtime)
                    try await writer.write(AnthropicErrorBody.streamEvent(for: GatewayError(error)))
                } catch is SSEParser.EventTooLarge {
                    reply.finish(.failure)
                    exchange.finish(status: 200, outcome: "upstream-error", runtime: runtime)
                    try await writer.write(
                        AnthropicErrorBody.streamEvent(
                            for: GatewayError(.upstreamFailed, "The inference host sent an oversized stream event.")
                        )
                    )
                } catch {
                    reply.finish(.neutral)
                    exchange.finish(status: 499, outcome: "client-cancelled", runtime: runtime)
                    throw error
                }
                try await writer.finish(nil)
            }
        )
    }

    /// A host that speaks Anthropic Messages: its JSON or events go to the client unchanged.
    func passThrough(_ reply: UpstreamReply, streaming: Bool, exchange original: Exchange) async -> Response {
        let exchange = original.answered(by: reply.hostID)
        guard (200..<300).contains(reply.status) else { return await upstreamError(reply, exchange: exchange) }
        guard streaming else {
            do {
                let body = try await runtime.collect(reply)
                reply.finish(.success)
                exchange.finish(status: reply.status, outcome: "completed", runtime: runtime)
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                headers[.requestID] = exchange.id
                return Response(status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: body))
            } catch let error as UpstreamError {
                reply.finish(.failure)
                return fail(GatewayError(error), exchange: exchange, outcome: "upstream-error")
            } catch {
                reply.finish(.neutral)
                return fail(GatewayError(.internal, "The response could not be relayed."), exchange: exchange, outcome: "client-cancelled")
            }
        }
        let runtime = self.runtime
        return Response(
            status: .ok,
            headers: streamHeaders(exchange),
            body: ResponseBody { writer in
                var parser = SSEParser()
                do {
                    try await StreamRelay.relay(
                        reply.body,
                        idle: runtime.configuration.timeouts.idle,
                        total: runtime.configuration.timeouts.total,
                        hostID: reply.hostID
                    ) { chunk in
                        let events = try parser.feed(chunk)
                        guard !events.isEmpty else { return }
                        var batch = ByteBuffer()
                        for event in events { batch.writeImmutableBuffer(event.raw) }
                        try await writer.write(batch)
                    }
                    reply.finish(.success)
                    exchange.finish(status: 200, outcome: "completed", runtime: runtime)
                } catch let error as UpstreamError {
                    reply.finish(.failure)
                    exchange.finish(status: 200, outcome: "upstream-error", runtime: runtime)
                    try await writer.write(AnthropicErrorBody.streamEvent(for: GatewayError(error)))
                } catch {
                    reply.finish(.neutral)
                    exchange.finish(status: 499, outcome: "client-cancelled", runtime: runtime)
                    throw error
                }
                try await writer.finish(nil)
            }
        )
    }

    /// A host's 4xx becomes `invalid_request_error` with its status and message (a context
    /// overflow stays a 400 the client can show); 5xx becomes `api_error`.
    private func upstreamError(_ reply: UpstreamReply, exchange: Exchange) async -> Response {
        let body = (try? await reply.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
        let hostMessage = OpenAIReplyRelay.errorMessage(in: body)
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
            return fail(
                GatewayError(kind, hostMessage ?? "The inference host refused the request (\(reply.status)).", status: reply.status),
                exchange: exchange,
                outcome: "upstream-refused"
            )
        }
        reply.finish(.failure)
        runtime.metrics.upstreamAttemptFailed(host: reply.hostID, code: "status_\(reply.status)")
        return fail(
            GatewayError(.upstreamFailed, "The inference host \(reply.hostID) answered \(reply.status): \(hostMessage ?? "no detail")."),
            exchange: exchange,
            outcome: "upstream-error"
        )
    }

    func fail(_ error: GatewayError, exchange: Exchange, outcome: String) -> Response {
        exchange.finish(status: AnthropicErrorBody.status(for: error), outcome: outcome, runtime: runtime)
        return AnthropicErrorBody.response(for: error, requestID: exchange.id)
    }

    private func json(_ value: JSONValue, exchange: Exchange) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.requestID] = exchange.id
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: GatewayRuntime.encode(value)))
    }

    private func streamHeaders(_ exchange: Exchange) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[.requestID] = exchange.id
        return headers
    }

    static func encode(_ events: [AnthropicEvent]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for event in events { event.write(to: &buffer) }
        return buffer
    }
}

/// Ends the relay of a stream whose message reached a stop sequence.
private struct StopSequenceReached: Error {}
