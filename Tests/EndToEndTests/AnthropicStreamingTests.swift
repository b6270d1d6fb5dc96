import AsyncHTTPClient
import Foundation
import Gateway
import JSONWire
import LocalLLM
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@Suite(.serialized) struct AnthropicStreamingTests {
    func messagesRequest(_ harness: GatewayHarness, body: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: harness.baseURL + "/v1/messages?beta=true")
        request.method = .POST
        request.headers.add(name: "x-api-key", value: harness.key)
        request.headers.add(name: "anthropic-version", value: "2023-06-01")
        request.headers.add(name: "anthropic-beta", value: "claude-code-20250219,not-a-real-beta-2099-01-01")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        return request
    }

    static let body = #"{"model":"gpt-4o","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#

    @Test func pingsKeepASlowStreamAlive() async throws {
        try await GatewayHarness.with(mocks: 1, configure: { $0.timeouts.keepAlive = .milliseconds(100) }) { harness in
            var slow = MockUpstreamBehavior()
            slow.chunkDelayMs = 450
            slow.replyWords = ["a", "b"]
            harness.mocks[0].setBehavior(slow)
            let response = try await harness.http.execute(messagesRequest(harness, body: Self.body), timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let names = text.components(separatedBy: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
            #expect(names.first == "message_start")
            #expect(names.last == "message_stop")
            #expect(names.filter { $0 == "ping" }.count >= 4, "\(names)")
        }
    }

    @Test func nativePoolPassesEventsThrough() async throws {
        try await GatewayHarness.with(mocks: 1, poolConfigure: { $0.messagesAPI = .native }) { harness in
            let response = try await harness.http.execute(messagesRequest(harness, body: Self.body), timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(text.contains(#""id":"msg_mock_native""#))
            #expect(text.hasSuffix("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
            let sent = try JSONDecoder().decode(JSONValue.self, from: Data(harness.mocks[0].currentStats.lastRequest!.utf8))
            #expect(sent["model"] == "mock-model" && sent["max_tokens"] == 50, "the Anthropic body reached the host as Anthropic")
        }
    }
}
