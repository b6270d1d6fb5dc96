import Foundation
import JSONWire
import LocalLLM
import NIOCore
import Testing

@testable import Gateway

@Suite struct OpenAIStreamNormalizerTests {
    static func toolDelta(id: String?, name: String?, arguments: String) -> String {
        var call = #""index":0"#
        if let id { call += #","id":"\#(id)","type":"function""# }
        call += #","function":{"#
        if let name { call += #""name":"\#(name)","# }
        call += #""arguments":"\#(arguments)"}"#
        return
            #"{"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{\#(call)}]},"finish_reason":null}]}"#
    }

    /// llama-cpp-python repeats id and name in every delta; clients must see them once.
    @Test func repeatedToolCallIdsAndNamesAreDropped() throws {
        var normalizer = OpenAIStreamNormalizer(clientWantsUsage: false)
        #expect(normalizer.normalize(Self.toolDelta(id: "call_1", name: "get_weather", arguments: "{")) == .forward)
        guard case .replace(let second) = normalizer.normalize(Self.toolDelta(id: "call_1", name: "get_weather", arguments: "\\\"city\\\""))
        else {
            Issue.record("the repeat was not rewritten")
            return
        }
        let call = try #require(
            try JSONDecoder().decode(JSONValue.self, from: Data(second.utf8))["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?
                .arrayValue?.first
        )
        #expect(call["id"] == nil && call["type"] == nil && call["function"]?["name"] == nil)
        #expect(call["function"]?["arguments"]?.stringValue == "\"city\"" && call["index"]?.intValue == 0)
        // A host that already sends OpenAI's shape is left alone.
        #expect(normalizer.normalize(Self.toolDelta(id: nil, name: nil, arguments: "}")) == .forward)
    }

    @Test func usageTheClientDidNotAskForIsDroppedButCounted() {
        var normalizer = OpenAIStreamNormalizer(clientWantsUsage: false)
        let usage =
            #"{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}"#
        #expect(normalizer.normalize(#"{"choices":[{"index":0,"delta":{"content":"hi"}}]}"#) == .forward)
        #expect(normalizer.normalize(usage) == .drop)
        #expect(normalizer.sawUsage)
        var asked = OpenAIStreamNormalizer(clientWantsUsage: true)
        #expect(asked.normalize(usage) == .forward)
    }

    /// A long answer from a host that reports no usage: what is held is its text, not its chunks.
    @Test func aLongAnswerWithoutUsageHoldsItsTextNotItsChunks() {
        var normalizer = OpenAIStreamNormalizer(clientWantsUsage: false)
        var expected = ""
        var largestHold = 0
        for index in 0..<5_000 {
            let piece = " word\(index)"
            expected += piece
            let chunk =
                #"{"id":"long","object":"chat.completion.chunk","created":9,"model":"big","choices":[{"index":0,"delta":{"content":"\#(piece)"},"finish_reason":null}]}"#
            #expect(normalizer.normalize(chunk) == .forward)
            largestHold = max(largestHold, normalizer.heldBytes)
        }
        // 5,000 chunks of ~140 bytes (700 KB) went by; at most 64 KiB of them were held at once.
        #expect(largestHold <= 64 << 10)
        #expect(normalizer.completionText() == expected)
        #expect(normalizer.id == "long" && normalizer.model == "big" && normalizer.created == 9)
    }

    @Test func aHostWithoutUsageGetsItsCompletionTextCollected() throws {
        var normalizer = OpenAIStreamNormalizer(clientWantsUsage: true)
        _ = normalizer.normalize(#"{"id":"x","model":"smol","created":5,"choices":[{"index":0,"delta":{"role":"assistant"}}]}"#)
        _ = normalizer.normalize(#"{"id":"x","model":"smol","created":5,"choices":[{"index":0,"delta":{"content":"Hello"}}]}"#)
        _ = normalizer.normalize(Self.toolDelta(id: "c", name: "f", arguments: "{}"))
        #expect(!normalizer.sawUsage)
        #expect(normalizer.completionText() == "Hello{}")
        let chunk = try JSONDecoder().decode(JSONValue.self, from: Data(normalizer.usageChunk(prompt: 4, completion: 2).utf8))
        #expect(chunk["usage"]?["total_tokens"]?.intValue == 6 && chunk["choices"]?.arrayValue?.isEmpty == true)
        #expect(chunk["object"]?.stringValue == "chat.completion.chunk")
    }

    @Test func embeddingsOfTheWrongShapeAreCaught() {
        #expect(EmbeddingsShape.check(ByteBuffer(string: #"{"data":[{"embedding":[0.1,0.2]}],"object":"list"}"#)) == nil)
        #expect(EmbeddingsShape.check(ByteBuffer(string: #"{"data":[{"embedding":"AAAA"}]}"#)) == nil)
        #expect(EmbeddingsShape.check(ByteBuffer(string: #"{"data":[{"embedding":[[0.1,0.2],[0.3,0.4]]}]}"#)) == .perTokenVectors)
        #expect(EmbeddingsShape.check(ByteBuffer(string: #"{"error":"nope"}"#)) == .notEmbeddings)
    }
}
