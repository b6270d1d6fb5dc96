import Hummingbird
import LocalLLM
import NIOCore

/// Turns an answer from a host (or the echo model) into the client's response in OpenAI's
/// format: the host's JSON body, or its SSE stream relayed event by event. Errors after the
/// stream has started become one `data: {"error": …}` event, so the SDKs raise instead of
/// hanging.
struct OpenAIReplyRelay {
    let runtime: GatewayRuntime

    func response(_ reply: UpstreamReply, streaming: Bool, exchange: Exchange) async -> Response {
        await runtime.relayUnchanged(
            reply,
            streaming: streaming,
            exchange: exchange,
            fail: { failure, exchange in await fail(failure.error, exchange: exchange, outcome: failure.outcome) },
            errorEvent: OpenAIErrorBody.streamEvent
        )
    }

    func fail(_ error: GatewayError, exchange: Exchange, outcome: String) async -> Response {
        await exchange.finish(status: error.status, outcome: outcome, runtime: runtime)
        var response = OpenAIErrorBody.response(for: error)
        response.headers[.requestID] = exchange.id
        return response
    }
}
