import Foundation
import JSONWire
import NIOCore
import Testing

@testable import WireTranslation

@Suite struct AnthropicStreamTranslatorTests {
    static func chunk(_ delta: JSONValue, finish: String? = nil) -> String {
        let json: JSONValue = ["choices": [["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]]]
        return "data: \(json.serializedString)\n\n"
    }

    /// Text, then two tool calls whose deltas repeat id and name (as llama.cpp streams them),
    /// a finish, a usage chunk and [DONE].
    static let upstream: String = [
        chunk(["role": "assistant", "content": ""]),
        chunk(["content": "Checking"]),
        chunk(["content": " now."]),
        chunk([
            "tool_calls": [
                ["index": 0, "id": "call_a", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"#]]
            ]
        ]),
        chunk([
            "tool_calls": [
                ["index": 0, "id": "call_a", "type": "function", "function": ["name": "get_weather", "arguments": #""Brussels"}"#]]
            ]
        ]),
        chunk(["tool_calls": [["index": 1, "id": "call_b", "type": "function", "function": ["name": "get_time", "arguments": #"{}"#]]]]),
        chunk([:], finish: "tool_calls"),
        "data: " + (["choices": [], "usage": ["prompt_tokens": 42, "completion_tokens": 17]] as JSONValue).serializedString + "\n\n",
        "data: [DONE]\n\n",
    ].joined()

    func translate(_ chunks: [ByteBuffer]) throws -> [AnthropicEvent] {
        let request = try AnthropicRequest(
            ["model": "claude-x", "max_tokens": 50, "stream": true, "messages": [["role": "user", "content": "x"]]],
            requireMaxTokens: true
        )
        var translator = AnthropicStreamTranslator(request: request, messageID: "msg_1", inputTokens: 40)
        var parser = SSEParser()
        var events = translator.start()
        for chunk in chunks {
            for event in try parser.feed(chunk) {
                guard let data = event.data, data != "[DONE]" else { continue }
                events += translator.feed(try #require(OpenAIStreamChunk(parsing: data)))
            }
        }
        #expect(translator.sawFinish)
        return events + translator.finish()
    }

    @Test func eventOrderAndIndices() throws {
        let events = try translate([ByteBuffer(string: Self.upstream)])
        #expect(
            events.map(\.name) == [
                "message_start", "ping",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop",
            ]
        )
        #expect(events[0].data["message"]?["usage"]?["input_tokens"] == 40)
        let starts = events.filter { $0.name == "content_block_start" }
        #expect(starts.map { $0.data["index"] } == [0, 1, 2])
        #expect(starts[1].data["content_block"] == ["type": "tool_use", "id": "call_a", "name": "get_weather", "input": [:]])
        #expect(starts[2].data["content_block"]?["id"] == "call_b")
        let json = events.filter { $0.data["delta"]?["type"] == "input_json_delta" && $0.data["index"] == 1 }
        #expect(json.compactMap { $0.data["delta"]?["partial_json"]?.stringValue }.joined() == #"{"city":"Brussels"}"#)
        let delta = try #require(events.first { $0.name == "message_delta" })
        #expect(delta.data["delta"]?["stop_reason"] == "tool_use")
        #expect(delta.data["usage"] == ["input_tokens": 42, "output_tokens": 17])
    }

    @Test func anySplitOfTheUpstreamBytesGivesTheSameEvents() throws {
        let expected = try translate([ByteBuffer(string: Self.upstream)])
        let bytes = Array(Self.upstream.utf8)
        for split in 0...bytes.count {
            let chunks = [ByteBuffer(bytes: bytes[0..<split]), ByteBuffer(bytes: bytes[split...])]
            #expect(try translate(chunks) == expected, "split at \(split)")
        }
        for size in [1, 2, 3, 7, 64] {
            let chunks = stride(from: 0, to: bytes.count, by: size).map { ByteBuffer(bytes: bytes[$0..<min($0 + size, bytes.count)]) }
            #expect(try translate(chunks) == expected, "chunks of \(size)")
        }
    }

    @Test func thinkingBlocksOnlyWhenAsked() throws {
        let reasoning = Self.chunk(["reasoning_content": "hmm"]) + Self.chunk(["content": "hi"]) + Self.chunk([:], finish: "stop")
        for wants in [true, false] {
            var body: JSONValue = ["model": "m", "max_tokens": 5, "messages": [["role": "user", "content": "x"]]]
            if wants { body["thinking"] = ["type": "enabled", "budget_tokens": 1024] }
            var translator = AnthropicStreamTranslator(
                request: try AnthropicRequest(body, requireMaxTokens: true),
                messageID: "m",
                inputTokens: 1
            )
            var parser = SSEParser()
            var events: [AnthropicEvent] = []
            for event in try parser.feed(ByteBuffer(string: reasoning)) {
                events += translator.feed(try #require(OpenAIStreamChunk(parsing: event.data!)))
            }
            events += translator.finish()
            let types = events.filter { $0.name == "content_block_start" }.compactMap { $0.data["content_block"]?["type"]?.stringValue }
            #expect(types == (wants ? ["thinking", "text"] : ["text"]))
        }
    }

    @Test func gatewayAppliedStopSequenceEndsTheMessage() throws {
        let request = try AnthropicRequest(
            [
                "model": "m", "max_tokens": 50, "stream": true, "stop_sequences": ["\n\nUser:"],
                "messages": [["role": "user", "content": "x"]],
            ],
            requireMaxTokens: true
        )
        let pieces = ["Sure", ", done.\n", "\nUs", "er: ignored", " text"]
        var translator = AnthropicStreamTranslator(request: request, messageID: "m", inputTokens: 1, matchStopSequences: true)
        var events: [AnthropicEvent] = []
        for piece in pieces {
            let chunk = OpenAIStreamChunk(choices: [
                .init(delta: .init(content: piece, reasoningContent: nil, toolCalls: nil), finishReason: nil, stopReason: nil)
            ])
            events += translator.feed(chunk)
            if translator.stoppedAtSequence { break }
        }
        #expect(translator.stoppedAtSequence && translator.sawFinish)
        events += translator.finish()
        let text = events.compactMap { $0.data["delta"]?["text"]?.stringValue }.joined()
        #expect(text == "Sure, done.")
        let delta = try #require(events.first { $0.name == "message_delta" })
        #expect(delta.data["delta"] == ["stop_reason": "stop_sequence", "stop_sequence": "\n\nUser:"])
        #expect(events.last?.name == "message_stop")
    }
}
