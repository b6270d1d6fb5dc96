import Access
import Foundation
import HTTPTypes
package import Hummingbird
import JSONWire
import LocalLLM
import NIOCore
import WireTranslation

/// The Anthropic Messages surface: `POST /v1/messages` (also with Claude Code's `?beta=true`)
/// and `POST /v1/messages/count_tokens`. `anthropic-version` and `anthropic-beta` headers are
/// accepted; betas the gateway does not know never fail a call.
package struct AnthropicRoutes: Sendable {
    let runtime: GatewayRuntime
    var relay: AnthropicReplyRelay { AnthropicReplyRelay(runtime: runtime) }

    package init(runtime: GatewayRuntime) {
        self.runtime = runtime
    }

    package func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/v1/messages") { request, _ in await messages(request) }
        router.post("/v1/messages/count_tokens") { request, _ in await countTokens(request) }
    }

    func messages(_ request: Request) async -> Response {
        var exchange = Exchange(route: "/v1/messages", request: request, metrics: runtime.metrics)
        do {
            let caller = try runtime.admit(request, exchange: &exchange)
            var anthropic = try AnthropicRequest(
                validating: try await runtime.readJSON(request, exchange: &exchange),
                requireMaxTokens: true
            )
            let target = try runtime.resolve(model: anthropic.model, for: caller, exchange: &exchange)
            try runtime.inspectRequest(&anthropic.body, exchange: &exchange)
            // Stop sequences and the user id as inspection left them (redacted where it redacted).
            anthropic = try AnthropicRequest(validating: anthropic.body, requireMaxTokens: true)
            try runtime.reserveQuota(&anthropic.body, limit: .anthropic, exchange: &exchange)
            let affinity = anthropic.userID ?? caller.user
            if target.pool.configuration.messagesAPI == .native && target.pool.kind != .echo {
                var body = anthropic.body
                body["model"] = .string(target.upstreamModel)
                let reply = try await runtime.send("/messages", body, to: target, affinity: affinity, streaming: anthropic.streaming)
                return await relay.passThrough(reply, streaming: anthropic.streaming, exchange: exchange)
            }
            let chat = AnthropicToOpenAI.chatRequest(anthropic, upstreamModel: target.upstreamModel, host: HostDialect(target.pool.kind))
            let messageID = OpenAIToAnthropic.messageID()
            let matchStops = !HostDialect(target.pool.kind).reportsStopMatch
            if target.pool.kind == .echo {
                let reply = runtime.echo.chatCompletion(chat)
                return await relay.translated(
                    reply,
                    request: anthropic,
                    messageID: messageID,
                    inputTokens: EchoModel.promptTokens(chat),
                    matchStopSequences: matchStops,
                    pool: nil,
                    exchange: exchange
                )
            }
            // Streams announce input tokens in `message_start`: count them on the host's
            // tokenizer while the host starts generating.
            let inputTokens: Int64
            let reply: UpstreamReply
            if anthropic.streaming && target.pool.configuration.tokenizer == .llamaCppPython {
                // llama-cpp-python's server interrupts a running generation when another request
                // arrives (its `interrupt_requests` default): count first, then generate.
                inputTokens = await runtime.tokenizer.count(chat, pool: target.pool).tokens
                reply = try await runtime.send("/chat/completions", chat, to: target, affinity: affinity, streaming: true)
            } else if anthropic.streaming && target.pool.configuration.tokenizer != .none {
                async let counted = runtime.tokenizer.count(chat, pool: target.pool)
                reply = try await runtime.send("/chat/completions", chat, to: target, affinity: affinity, streaming: true)
                inputTokens = await counted.tokens
            } else {
                inputTokens = anthropic.streaming ? HostTokenizer.estimate(chat).tokens : 0
                reply = try await runtime.send("/chat/completions", chat, to: target, affinity: affinity, streaming: anthropic.streaming)
            }
            return await relay.translated(
                reply,
                request: anthropic,
                messageID: messageID,
                inputTokens: inputTokens,
                matchStopSequences: matchStops,
                pool: target.pool,
                exchange: exchange
            )
        } catch {
            return await relay.fail(error, exchange: exchange, outcome: .refusal(error))
        }
    }

    func countTokens(_ request: Request) async -> Response {
        var exchange = Exchange(route: "/v1/messages/count_tokens", request: request, metrics: runtime.metrics)
        do {
            let caller = try runtime.admit(request, exchange: &exchange)
            var anthropic = try AnthropicRequest(
                validating: try await runtime.readJSON(request, exchange: &exchange),
                requireMaxTokens: false
            )
            let target = try runtime.resolve(model: anthropic.model, for: caller, exchange: &exchange)
            // The host's tokenizer is a host too: it sees only what governance lets through.
            try runtime.inspectRequest(&anthropic.body, exchange: &exchange)
            anthropic = try AnthropicRequest(validating: anthropic.body, requireMaxTokens: false)
            let chat = AnthropicToOpenAI.chatRequest(anthropic, upstreamModel: target.upstreamModel, host: HostDialect(target.pool.kind))
            let count =
                target.pool.kind == .echo
                ? HostTokenizer.Count(tokens: EchoModel.promptTokens(chat), source: .host)
                : await runtime.tokenizer.count(chat, pool: target.pool)
            exchange.usage.input = count.tokens
            await exchange.finish(status: 200, outcome: .completed, runtime: runtime)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.requestID] = exchange.id
            headers[.tokenCountSource] = count.source.rawValue
            return Response(
                status: .ok,
                headers: headers,
                body: .init(byteBuffer: GatewayRuntime.encode(["input_tokens": .int(count.tokens)]))
            )
        } catch {
            return await relay.fail(error, exchange: exchange, outcome: .refusal(error))
        }
    }

    /// `GET /v1/models` as Anthropic clients expect it (asked with `anthropic-version`).
    static func modelList(_ ids: [String]) -> JSONValue {
        [
            "data": .array(
                ids.map { ["type": "model", "id": .string($0), "display_name": .string($0), "created_at": "2025-01-01T00:00:00Z"] }
            ),
            "has_more": false,
            "first_id": ids.first.map(JSONValue.string) ?? .null,
            "last_id": ids.last.map(JSONValue.string) ?? .null,
        ]
    }
}
