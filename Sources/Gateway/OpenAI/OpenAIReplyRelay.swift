import Foundation
import HTTPTypes
import Hummingbird
import LocalLLM
import NIOCore
import NIOFoundationEssentialsCompat

/// Turns an answer from a host (or the echo model) into the client's response in OpenAI's
/// format: a JSON body, or an SSE stream relayed event by event. Errors after the stream has
/// started become one `data: {"error": …}` event, so the SDKs raise instead of hanging.
struct OpenAIReplyRelay {
    let runtime: GatewayRuntime

    func response(_ reply: UpstreamReply, streaming: Bool, exchange original: Exchange) async -> Response {
        let exchange = original.answered(by: reply.hostID)
        let timeouts = runtime.configuration.timeouts
        guard (200..<300).contains(reply.status) else {
            return await upstreamError(reply, exchange: exchange)
        }
        if streaming {
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-cache"
            headers[.requestID] = exchange.id
            let runtime = self.runtime
            return Response(
                status: .ok,
                headers: headers,
                body: ResponseBody { writer in
                    var parser = SSEParser()
                    do {
                        try await StreamRelay.relay(reply.body, idle: timeouts.idle, total: timeouts.total, hostID: reply.hostID) { chunk in
                            // Whole events only, one write per upstream chunk.
                            let events = try parser.feed(chunk)
                            guard !events.isEmpty else { return }
                            var batch = ByteBuffer()
                            for event in events { batch.writeImmutableBuffer(event.raw) }
                            try await writer.write(batch)
                        }
                        if let tail = parser.finish() { try await writer.write(tail.raw) }
                        reply.finish(.success)
                        exchange.finish(status: 200, outcome: "completed", runtime: runtime)
                    } catch let error as UpstreamError {
                        reply.finish(.failure)
                        runtime.metrics.upstreamAttemptFailed(host: reply.hostID, code: error.code.rawValue)
                        exchange.finish(status: 200, outcome: "upstream-error", runtime: runtime)
                        try await writer.write(OpenAIErrorBody.streamEvent(for: GatewayError(error)))
                    } catch is SSEParser.EventTooLarge {
                        reply.finish(.failure)
                        exchange.finish(status: 200, outcome: "upstream-error", runtime: runtime)
                        try await writer.write(
                            OpenAIErrorBody.streamEvent(
                                for: GatewayError(.upstreamFailed, "The inference host sent an oversized stream event.")
                            )
                        )
                    } catch {
                        // The client went away (or the server is stopping): the upstream read is cancelled.
                        reply.finish(.neutral)
                        exchange.finish(status: 499, outcome: "client-cancelled", runtime: runtime)
                        throw error
                    }
                    try await writer.finish(nil)
                }
            )
        }
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

    /// A host's non-2xx answer: a 4xx in OpenAI's shape passes through with its status (the
    /// host judged the request); anything else becomes a 502 that quotes the host briefly.
    private func upstreamError(_ reply: UpstreamReply, exchange: Exchange) async -> Response {
        let body = (try? await reply.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
        let hostMessage = Self.errorMessage(in: body)
        if (400..<500).contains(reply.status) {
            reply.finish(.success)
            return fail(
                GatewayError(
                    .invalidRequest,
                    hostMessage ?? "The inference host refused the request (\(reply.status)).",
                    status: reply.status
                ),
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
        exchange.finish(status: error.status, outcome: outcome, runtime: runtime)
        var response = OpenAIErrorBody.response(for: error)
        response.headers[.requestID] = exchange.id
        return response
    }

    /// `error.message` (OpenAI), `message` or `detail` from a host's JSON error body.
    static func errorMessage(in body: ByteBuffer) -> String? {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : String(text.prefix(300))
        }
        return json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? json["message"]?.stringValue
            ?? json["detail"]?.stringValue
    }
}
