import Access
import AsyncHTTPClient
import Audit
import Foundation
import Gateway
import JSONWire
import LocalLLM
import Logging
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1
import TestSupport

/// A real gateway on an ephemeral port in front of real mock hosts on ephemeral ports.
struct GatewayHarness {
    let baseURL: String
    let mocks: [MockUpstream]
    let mockPorts: [Int]
    let key: String
    let http: HTTPClient
    let runtime: GatewayRuntime

    /// A port with nothing listening (a host that is down).
    static let deadPort = 9

    static func with(
        mocks count: Int,
        deadHosts: Int = 0,
        configure: (inout GatewayConfiguration) -> Void = { _ in },
        poolConfigure: (inout UpstreamPoolConfiguration) -> Void = { _ in },
        _ body: (GatewayHarness) async throws -> Void
    ) async throws {
        let mocks = (0..<count).map { MockUpstream(name: "mock\($0)") }
        let http = UpstreamClient.makeHTTPClient(timeouts: .init())
        try await withThrowingTaskGroup(of: Void.self) { group in
            var ports: [Int] = []
            for mock in mocks {
                let (stream, continuation) = AsyncStream<Int>.makeStream()
                group.addTask { try await mock.run(port: 0) { continuation.yield($0) } }
                for await port in stream {
                    ports.append(port)
                    break
                }
            }
            var pool = UpstreamPoolConfiguration(
                name: "gpu",
                kind: .vllm,
                hosts: (0..<deadHosts).map { _ in UpstreamHostConfiguration(baseURL: "http://127.0.0.1:\(deadPort)/v1") }
                    + ports.map { UpstreamHostConfiguration(baseURL: "http://127.0.0.1:\($0)/v1", apiKey: "host-secret") },
                breaker: .init(failureThreshold: 3, openDuration: .seconds(60))
            )
            poolConfigure(&pool)
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("tappass-e2e-\(UUID().uuidString)").path
            var configuration = GatewayConfiguration(
                listen: .init(host: "127.0.0.1", port: 0),
                stateDirectory: state,
                adminSocketPath: state + "/admin.sock",
                timeouts: .init(connect: .seconds(1), firstByte: .seconds(5), idle: .seconds(2), total: .seconds(20)),
                pools: [pool, UpstreamPoolConfiguration(name: "echo", kind: .echo)],
                models: [
                    ModelRoute(pattern: "gpt-*", pool: "gpu", upstreamModel: "mock-model"), ModelRoute(pattern: "echo", pool: "echo"),
                ],
                echoWordDelay: .zero
            )
            configure(&configuration)
            var logger = Logger(label: "e2e")
            logger.logLevel = .critical
            let keys = try APIKeyStore(stateDirectory: state)
            let (_, key) = try keys.create(user: "alice", team: "eng")
            let audit = try AuditLog(configuration: configuration, logger: logger)
            group.addTask { try await audit.run() }
            let runtime = GatewayRuntime(
                configuration: configuration,
                keys: keys,
                upstream: UpstreamClient(http: http, timeouts: configuration.timeouts),
                metrics: GatewayMetrics(),
                audit: audit,
                logger: logger
            )
            let (stream, continuation) = AsyncStream<Int>.makeStream()
            group.addTask { try await GatewayServer(runtime: runtime) { _, port in continuation.yield(port) }.run() }
            var gatewayPort = 0
            for await port in stream {
                gatewayPort = port
                break
            }
            let harness = GatewayHarness(
                baseURL: "http://127.0.0.1:\(gatewayPort)",
                mocks: mocks,
                mockPorts: ports,
                key: key,
                http: http,
                runtime: runtime
            )
            do {
                try await body(harness)
            } catch {
                group.cancelAll()
                try? await http.shutdown()
                throw error
            }
            group.cancelAll()
        }
        try await http.shutdown()
    }

    struct Reply {
        var status: Int
        var body: String
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
    }

    func post(_ path: String, _ body: String, key: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key ?? self.key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: .seconds(30))
        return Reply(status: Int(response.status.code), body: String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }

    func get(_ path: String) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        let response = try await http.execute(request, timeout: .seconds(30))
        return Reply(status: Int(response.status.code), body: String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }

    static func chat(model: String = "gpt-4o", stream: Bool = false, extra: String = "") -> String {
        #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"hi"}]\#(extra)}"#
    }
}
