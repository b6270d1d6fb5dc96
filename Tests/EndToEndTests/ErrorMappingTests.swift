import Access
import Foundation
import Gateway
import JSONWire
import LocalLLM
import TestSupport
import Testing

@Suite(.serialized) struct ErrorMappingTests {
    @Test func refusalsUseOpenAIErrorBodies() async throws {
        try await GatewayHarness.with(mocks: 1, configure: { $0.limits = .init(maxBodyBytes: 4096, maxJSONDepth: 8) }) { harness in
            let cases: [(String, String, String?, Int, String?)] = [
                ("/v1/chat/completions", GatewayHarness.chat(), "tp_bogus_key", 401, "invalid_api_key"),
                ("/v1/chat/completions", GatewayHarness.chat(model: "claude-x"), nil, 404, "model_not_found"),
                ("/v1/chat/completions", "{not json", nil, 400, nil),
                ("/v1/chat/completions", #"{"model":"gpt-4o"}"#, nil, 400, nil),
                (
                    "/v1/chat/completions",
                    #"{"model":"gpt-4o","messages":[{"role":"user","content":"\#(String(repeating: "x", count: 5000))"}]}"#, nil, 413,
                    "request_too_large"
                ),
                ("/v1/chat/completions", #"{"model":"gpt-4o","messages":[[[[[[[[[[[]]]]]]]]]]]}"#, nil, 400, nil),
            ]
            for (path, body, key, status, code) in cases {
                let reply = try await harness.post(path, body, key: key)
                #expect(reply.status == status, "\(body.prefix(60))")
                #expect(reply.json?["error"]?["message"]?.stringValue?.isEmpty == false)
                #expect(reply.json?["error"]?["code"]?.stringValue == code)
            }
            #expect(harness.mocks[0].currentStats.requests == 0, "nothing malformed reached the host")
        }
    }

    @Test func keyModelRestrictionIs403AndFiltersModels() async throws {
        try await GatewayHarness.with(mocks: 1) { harness in
            let (_, limited) = try harness.runtime.keys.create(user: "eve", team: "eng", models: ["echo"])
            let refused = try await harness.post("/v1/chat/completions", GatewayHarness.chat(), key: limited)
            #expect(refused.status == 403)
            let allowed = try await harness.post("/v1/chat/completions", GatewayHarness.chat(model: "echo"), key: limited)
            #expect(allowed.status == 200)
        }
    }

    @Test func embeddingsAreRelayed() async throws {
        try await GatewayHarness.with(mocks: 1) { harness in
            let reply = try await harness.post("/v1/embeddings", #"{"model":"gpt-embed","input":["a","b"]}"#)
            #expect(reply.status == 200)
            #expect(reply.json?["data"]?.arrayValue?.count == 2)
        }
    }

    @Test func metricsCountRequestsAndShowHostState() async throws {
        try await GatewayHarness.with(mocks: 1) { harness in
            _ = try await harness.post("/v1/chat/completions", GatewayHarness.chat())
            let metrics = try await harness.get("/metrics").body
            #expect(metrics.contains(#"tappass_requests_total{route="/v1/chat/completions",model="gpt-4o",status="200"} 1"#))
            #expect(metrics.contains(#"tappass_upstream_healthy{pool="gpu",upstream="gpu/0"} 1"#))
            #expect(metrics.contains("tappass_request_duration_seconds_bucket"))
        }
    }
}
