import Foundation
public import Hummingbird
import Logging
import NIOCore
import NIOFoundationEssentialsCompat
import Synchronization

/// A mock OpenAI-compatible inference host on a real socket: the *other side* of gateway
/// tests. JSON and SSE chat completions (text and tool calls), embeddings, `/health`,
/// `/v1/models`, configurable latency, failure status, mid-stream disconnect and keep-alives.
public final class MockUpstream: Sendable {
    public let name: String
    let behavior = Mutex(MockUpstreamBehavior())
    let stats = Mutex(MockUpstreamStats())

    public init(name: String) {
        self.name = name
    }

    public func setBehavior(_ behavior: MockUpstreamBehavior) { self.behavior.withLock { $0 = behavior } }
    public var currentStats: MockUpstreamStats { stats.withLock { $0 } }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/health") { _, _ in
            let status = self.behavior.withLock { $0.healthStatus }
            self.stats.withLock { $0.healthChecks += 1 }
            return Response(status: .init(code: status))
        }
        router.get("/v1/models") { _, _ in
            Self.json(["object": "list", "data": [["id": "mock-model", "object": "model", "owned_by": self.name]]])
        }
        router.get("/_mock/stats") { _, _ in
            Self.json(try JSONSerialization.jsonObject(with: JSONEncoder().encode(self.currentStats)))
        }
        router.post("/_mock/behavior") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            self.setBehavior(try JSONDecoder().decode(MockUpstreamBehavior.self, from: Data(buffer: body)))
            return Response(status: .noContent)
        }
        router.post("/_mock/reset") { _, _ in
            self.setBehavior(MockUpstreamBehavior())
            self.stats.withLock { $0 = MockUpstreamStats() }
            return Response(status: .noContent)
        }
        router.post("/v1/chat/completions") { request, _ in try await self.chat(request) }
        router.post("/v1/messages") { request, _ in try await self.anthropicMessages(request) }
        // llama.cpp-style tokenizer: the template is "role: content" lines; a token is a word.
        router.post("/apply-template") { request, _ in
            let json =
                try JSONSerialization.jsonObject(with: Data(buffer: try await request.body.collect(upTo: 16 << 20))) as? [String: Any]
                ?? [:]
            return Self.json(["prompt": MockTokenizer.template(json)])
        }
        router.post("/tokenize") { request, _ in
            let json =
                try JSONSerialization.jsonObject(with: Data(buffer: try await request.body.collect(upTo: 16 << 20))) as? [String: Any]
                ?? [:]
            return Self.json(["tokens": Array(0..<MockTokenizer.count(json["content"] as? String ?? ""))])
        }
        router.post("/v1/embeddings") { request, _ in try await self.embeddings(request) }
        return router
    }

    private func record(_ request: Request) async throws -> (MockUpstreamBehavior, [String: Any]) {
        let body = try await request.body.collect(upTo: 16 << 20)
        let text = String(buffer: body)
        stats.withLock {
            $0.requests += 1
            $0.lastRequest = text
            $0.lastAuthorization = request.headers[.authorization]
        }
        let behavior = self.behavior.withLock { $0 }
        if behavior.latencyMs > 0 { try await Task.sleep(for: .milliseconds(behavior.latencyMs)) }
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return (behavior, json)
    }

    private func chat(_ request: Request) async throws -> Response {
        let (behavior, json) = try await record(request)
        guard behavior.status == 200 else {
            return Self.json(
                ["error": ["message": "mock failure \(behavior.status) from \(name)", "type": "server_error"]],
                status: behavior.status
            )
        }
        let model = json["model"] as? String ?? "mock-model"
        let tools = Self.forcedTools(json, parallel: behavior.parallelToolCalls)
        let promptTokens = MockTokenizer.count(MockTokenizer.template(json))
        if json["stream"] as? Bool == true {
            let includeUsage = (json["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true
            let frames = MockChatFrames.stream(
                model: model,
                pieces: behavior.replyPieces,
                tools: tools,
                includeUsage: includeUsage,
                repeatToolIdentity: behavior.repeatToolIdentity,
                promptTokens: promptTokens
            )
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            return Response(
                status: .ok,
                headers: headers,
                body: ResponseBody { writer in
                    do {
                        if behavior.keepAliveComment { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                        for (index, frame) in frames.enumerated() {
                            if let limit = behavior.disconnectAfterChunks, index >= limit {
                                throw CancellationError()  // ends the response without a terminating chunk
                            }
                            if behavior.chunkDelayMs > 0, index > 0 { try await Task.sleep(for: .milliseconds(behavior.chunkDelayMs)) }
                            try await writer.write(ByteBuffer(string: frame))
                        }
                        try await writer.finish(nil)
                        self.stats.withLock { $0.completedStreams += 1 }
                    } catch {
                        self.stats.withLock { $0.cancelledStreams += 1 }
                        throw error
                    }
                }
            )
        }
        return Self.json(MockChatFrames.completion(model: model, pieces: behavior.replyPieces, tools: tools, promptTokens: promptTokens))
    }

    /// A host that speaks Anthropic Messages natively: a fixed one-block answer.
    private func anthropicMessages(_ request: Request) async throws -> Response {
        let (behavior, json) = try await record(request)
        guard behavior.status == 200 else {
            return Self.json(
                ["type": "error", "error": ["type": "api_error", "message": "mock failure \(behavior.status)"]],
                status: behavior.status
            )
        }
        let text = behavior.replyPieces.joined()
        let model = json["model"] as? String ?? "mock-model"
        let message: [String: Any] = [
            "id": "msg_mock_native", "type": "message", "role": "assistant", "model": model,
            "content": [["type": "text", "text": text]], "stop_reason": "end_turn", "stop_sequence": NSNull(),
            "usage": ["input_tokens": 11, "output_tokens": behavior.replyWords.count],
        ]
        guard json["stream"] as? Bool == true else { return Self.json(message) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        var start = message
        start["content"] = []
        start["stop_reason"] = NSNull()
        let events: [(String, [String: Any])] =
            [
                ("message_start", ["type": "message_start", "message": start]),
                ("content_block_start", ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]]),
            ]
            + behavior.replyPieces.map { piece in
                ("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": piece]])
            }
            + [
                ("content_block_stop", ["type": "content_block_stop", "index": 0]),
                (
                    "message_delta",
                    [
                        "type": "message_delta", "delta": ["stop_reason": "end_turn", "stop_sequence": NSNull()],
                        "usage": ["output_tokens": behavior.replyWords.count],
                    ]
                ),
                ("message_stop", ["type": "message_stop"]),
            ]
        let body = events.map { name, data in
            "event: \(name)\ndata: \(String(decoding: (try? JSONSerialization.data(withJSONObject: data)) ?? Data(), as: UTF8.self))\n\n"
        }.joined()
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func embeddings(_ request: Request) async throws -> Response {
        let (behavior, json) = try await record(request)
        guard behavior.status == 200 else {
            return Self.json(["error": ["message": "mock failure \(behavior.status)", "type": "server_error"]], status: behavior.status)
        }
        let inputs: [Any] = (json["input"] as? [Any]) ?? [json["input"] ?? ""]
        let data = inputs.enumerated().map { index, _ in
            ["object": "embedding", "index": index, "embedding": [0.1, 0.2, 0.3, Double(index)]] as [String: Any]
        }
        return Self.json([
            "object": "list", "data": data, "model": json["model"] ?? "mock-model",
            "usage": ["prompt_tokens": inputs.count * 3, "total_tokens": inputs.count * 3],
        ])
    }

    /// The function the request forces (`tool_choice` naming one, or `required` with tools).
    /// The functions the request forces: `tool_choice` naming one, or `required` (the first
    /// tool, or the first two when `parallel_tool_calls` behaviour is on). A conversation whose
    /// last message is a tool result gets a text answer instead, as a model would give.
    static func forcedTools(_ json: [String: Any], parallel: Bool) -> [String] {
        let tools = json["tools"] as? [[String: Any]] ?? []
        let names = tools.compactMap { ($0["function"] as? [String: Any])?["name"] as? String }
        let messages = json["messages"] as? [[String: Any]] ?? []
        if messages.last?["role"] as? String == "tool" { return [] }
        if let choice = json["tool_choice"] as? [String: Any] {
            return [((choice["function"] as? [String: Any])?["name"] as? String) ?? names.first].compactMap { $0 }
        }
        if json["tool_choice"] as? String == "required" { return Array(names.prefix(parallel ? 2 : 1)) }
        return []
    }

    static func json(_ object: Any, status: Int = 200) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// Runs the mock on `host:port` until cancelled; `onRunning` gets the bound port.
    public func run(host: String = "127.0.0.1", port: Int = 0, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        var logger = Logger(label: "mock-upstream-\(name)")
        logger.logLevel = .warning
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "mock-\(name)"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
        try await app.run()
    }
}
