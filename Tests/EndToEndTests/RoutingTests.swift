import Foundation
import Gateway
import JSONWire
import LocalLLM
import TestSupport
import Testing

@Suite(.serialized) struct RoutingTests {
    @Test func forwardsToTheHostWithItsModelNameAndKeyAndKeepsUnknownFields() async throws {
        try await GatewayHarness.with(mocks: 1) { harness in
            let reply = try await harness.post("/v1/chat/completions", GatewayHarness.chat(extra: #","x_vendor_flag":{"keep":[1,2]}"#))
            #expect(reply.status == 200)
            #expect(reply.json?["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue == "Hello from the mock host.")
            #expect(reply.json?["x_mock_extension"]?["kept"]?.boolValue == true, "unknown response fields pass through")
            let stats = harness.mocks[0].currentStats
            let sent = try JSONDecoder().decode(JSONValue.self, from: Data(stats.lastRequest!.utf8))
            #expect(sent["model"]?.stringValue == "mock-model")
            #expect(sent["x_vendor_flag"] == ["keep": [1, 2]])
            #expect(stats.lastAuthorization == "Bearer host-secret")
        }
    }

    @Test func failsOverPastADeadHostWithNoClientError() async throws {
        try await GatewayHarness.with(mocks: 1, deadHosts: 1) { harness in
            for _ in 0..<8 {
                let reply = try await harness.post("/v1/chat/completions", GatewayHarness.chat())
                #expect(reply.status == 200)
            }
            #expect(harness.mocks[0].currentStats.requests == 8)
            // The dead host's breaker opened after 3 refused connections.
            #expect(harness.runtime.pools[0].hosts[0].snapshot(at: .now).breakerState == "open")
        }
    }

    @Test func breakerStopsSendingToAHostAnswering503() async throws {
        try await GatewayHarness.with(mocks: 2) { harness in
            var failing = MockUpstreamBehavior()
            failing.status = 503
            harness.mocks[0].setBehavior(failing)
            for _ in 0..<20 {
                let reply = try await harness.post("/v1/chat/completions", GatewayHarness.chat())
                #expect(reply.status == 200)
            }
            #expect(harness.mocks[0].currentStats.requests == 3, "three failures open the breaker")
            #expect(harness.mocks[1].currentStats.requests == 20)
        }
    }

    @Test func allHostsDownGives503ThenNoHostAvailable() async throws {
        let withoutEcho: (inout GatewayConfiguration) -> Void = { configuration in
            configuration.pools.removeAll { $0.kind == .echo }
            configuration.models.removeAll { $0.pool == "echo" }
        }
        try await GatewayHarness.with(mocks: 0, deadHosts: 2, configure: withoutEcho) { harness in
            let first = try await harness.post("/v1/chat/completions", GatewayHarness.chat())
            #expect(first.status == 502)
            #expect(first.json?["error"]?["code"]?.stringValue == "upstream_error")
            for _ in 0..<3 { _ = try await harness.post("/v1/chat/completions", GatewayHarness.chat()) }
            let later = try await harness.post("/v1/chat/completions", GatewayHarness.chat())
            #expect(later.status == 503)
            #expect(later.json?["error"]?["code"]?.stringValue == "upstream_unavailable")
            let ready = try await harness.get("/readyz")
            #expect(ready.status == 503)
        }
    }

    @Test func slowHostTimesOutWith504() async throws {
        try await GatewayHarness.with(mocks: 1, configure: { $0.timeouts.firstByte = .milliseconds(200) }) { harness in
            var slow = MockUpstreamBehavior()
            slow.latencyMs = 1000
            harness.mocks[0].setBehavior(slow)
            let reply = try await harness.post("/v1/chat/completions", GatewayHarness.chat())
            #expect(reply.status == 504)
            #expect(reply.json?["error"]?["code"]?.stringValue == "upstream_timeout")
        }
    }

    @Test func hostClientErrorPassesThroughWithItsStatus() async throws {
        try await GatewayHarness.with(mocks: 1) { harness in
            var refusing = MockUpstreamBehavior()
            refusing.status = 400
            harness.mocks[0].setBehavior(refusing)
            let reply = try await harness.post("/v1/chat/completions", GatewayHarness.chat())
            #expect(reply.status == 400)
            #expect(reply.json?["error"]?["message"]?.stringValue?.contains("mock failure 400") == true)
        }
    }
}
