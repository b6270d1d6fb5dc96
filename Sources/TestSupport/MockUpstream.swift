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
            return Self.json(["error": ["message": "mock failure \(behavior.status) from \(name)", "type": "server_error"]], status: behavior.status)
        }
        let model = json["model"] as? String ?? "mock-model"
        let toolName = Self.forcedTool(json)
        if json["stream"] as? Bool == true {
            let includeUsage = (json["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true
            let frames = MockChatFrames.stream(model: model, words: behavior.replyWords, tool: toolName, includeUsage: includeUsage)
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
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
            })
        }
        return Self.json(MockChatFrames.completion(model: model, words: behavior.replyWords, tool: toolName))
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
    static func forcedTool(_ json: [String: Any]) -> String? {
        let tools = json["tools"] as? [[String: Any]] ?? []
        let first = (tools.first?["function"] as? [String: Any])?["name"] as? String
        if let choice = json["tool_choice"] as? [String: Any] {
            return (choice["function"] as? [String: Any])?["name"] as? String ?? first
        }
        if json["tool_choice"] as? String == "required" { return first }
        return nil
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
