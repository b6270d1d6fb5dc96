import AsyncHTTPClient
import Foundation
import Gateway
import JSONWire
import LocalLLM
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@Suite(.serialized) struct StreamingTests {
    func streamRequest(_ harness: GatewayHarness, body: String = GatewayHarness.chat(stream: true)) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: harness.baseURL + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "x-api-key", value: harness.key)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        return request
    }

    func events(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
    }

    @Test func relaysTheHostsEventsAndKeepAlives() async throws {
        try await GatewayHarness.with(mocks: 1) { harness in
            var behavior = MockUpstreamBehavior()
            behavior.keepAliveComment = true
            harness.mocks[0].setBehavior(behavior)
            let response = try await harness.http.execute(streamRequest(harness), timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let received = events(text)
            #expect(received.first == ": keep-alive")
            #expect(received.last == "data: [DONE]")
            let content = received.compactMap { event -> String? in
                guard event.hasPrefix("data: {") else { return nil }
                let json = try? JSONDecoder().decode(JSONValue.self, from: Data(event.dropFirst(6).utf8))
                return json?["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue
            }.joined()
            #expect(content == "Hello from the mock host.")
        }
    }

    @Test func hostDyingMidStreamEndsWithAnErrorEvent() async throws {
        try await GatewayHarness.with(mocks: 1) { harness in
            var behavior = MockUpstreamBehavior()
            behavior.disconnectAfterChunks = 3
            harness.mocks[0].setBehavior(behavior)
            let response = try await harness.http.execute(streamRequest(harness), timeout: .seconds(10))
            let received = events(String(buffer: try await response.body.collect(upTo: 1 << 20)))
            // Whatever the host sent before dying (up to 3 events), then the gateway's error event.
            #expect((2...4).contains(received.count))
            #expect(received.first?.hasPrefix("data: {") == true)
            let last = try #require(received.last)
            #expect(last.hasPrefix("data: {\"error\""), "\(last)")
            #expect(!received.contains("data: [DONE]"))
        }
    }

    @Test func silentHostHitsTheIdleTimeout() async throws {
        try await GatewayHarness.with(mocks: 1, configure: { $0.timeouts.idle = .milliseconds(300) }) { harness in
            var behavior = MockUpstreamBehavior()
            behavior.chunkDelayMs = 2000
            harness.mocks[0].setBehavior(behavior)
            let started = ContinuousClock.now
            let response = try await harness.http.execute(streamRequest(harness), timeout: .seconds(10))
            let received = events(String(buffer: try await response.body.collect(upTo: 1 << 20)))
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(received.last?.contains("timed out") == true, "\(received)")
        }
    }

    @Test func clientDisconnectCancelsTheUpstreamCall() async throws {
        try await GatewayHarness.with(mocks: 1) { harness in
            var behavior = MockUpstreamBehavior()
            behavior.chunkDelayMs = 100
            behavior.replyWords = Array(repeating: "word", count: 100)
            harness.mocks[0].setBehavior(behavior)
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let response = try await client.execute(streamRequest(harness), timeout: .seconds(10))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            // Walk away: shut the client connection down mid-stream.
            try await client.shutdown()
            var cancelled = 0
            for _ in 0..<50 {
                cancelled = harness.mocks[0].currentStats.cancelledStreams
                if cancelled > 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(cancelled == 1)
            #expect(harness.mocks[0].currentStats.completedStreams == 0)
            #expect(harness.runtime.pools[0].hosts[0].snapshot(at: .now).outstanding == 0)
        }
    }

    @Test func echoModelStreamsTheLastUserMessage() async throws {
        try await GatewayHarness.with(mocks: 0) { harness in
            let body = #"{"model":"echo","stream":true,"messages":[{"role":"user","content":"governed words here"}]}"#
            let response = try await harness.http.execute(streamRequest(harness, body: body), timeout: .seconds(10))
            let received = events(String(buffer: try await response.body.collect(upTo: 1 << 20)))
            // role, the words (held by the output filter until the finish: shorter than its
            // window), finish, [DONE]
            #expect(received.count == 3)
            #expect(received.last == "data: [DONE]")
            #expect(received[1].contains(#""content":"governed words here""#) && received[1].contains(#""finish_reason":"stop""#))
        }
    }
}

@Suite(.serialized) struct TotalTimeoutTests {
    @Test func longStreamEndsAtTheTotalTimeout() async throws {
        try await GatewayHarness.with(mocks: 1, configure: { $0.timeouts.total = .milliseconds(400) }) { harness in
            var behavior = MockUpstreamBehavior()
            behavior.chunkDelayMs = 50
            behavior.replyWords = Array(repeating: "w", count: 100)
            harness.mocks[0].setBehavior(behavior)
            var request = HTTPClientRequest(url: harness.baseURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(harness.key)")
            request.body = .bytes(ByteBuffer(string: GatewayHarness.chat(stream: true)))
            let started = ContinuousClock.now
            let response = try await harness.http.execute(request, timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(text.contains("total timeout"))
            #expect(!text.contains("[DONE]"))
        }
    }
}
