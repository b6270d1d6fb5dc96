import Foundation
import JSONWire
import NIOCore
import Testing

@testable import WireTranslation

@Suite struct AnthropicTranslationTests {
    func request(_ body: JSONValue) throws -> AnthropicRequest {
        try AnthropicRequest(body, requireMaxTokens: true)
    }

    @Test func foldsEverySystemTextAndDropsAnthropicOnlyFields() throws {
        let anthropic = try request([
            "model": "claude-x", "max_tokens": 100, "stream": true,
            "system": [["type": "text", "text": "A", "cache_control": ["type": "ephemeral"]], ["type": "text", "text": "B"]],
            "messages": [
                ["role": "system", "content": "Env"],
                [
                    "role": "user",
                    "content": [
                        ["type": "text", "text": "one"], ["type": "text", "text": "two", "cache_control": ["type": "ephemeral"]],
                    ],
                ],
            ],
            "thinking": ["type": "adaptive"], "context_management": ["edits": []], "output_config": ["effort": "high"],
            "metadata": ["user_id": "u1"], "top_k": 5,
        ])
        let chat = AnthropicToOpenAI.chatRequest(
            anthropic,
            upstreamModel: "local",
            host: HostDialect(acceptsTopK: true, reportsStopMatch: true)
        )
        #expect(chat["messages"] == [["role": "system", "content": "A\n\nB\n\nEnv"], ["role": "user", "content": "one\ntwo"]])
        #expect(chat["model"] == "local" && chat["user"] == "u1" && chat["top_k"] == 5)
        #expect(chat["stream_options"] == ["include_usage": true])
        for key in ["thinking", "context_management", "output_config", "metadata", "system"] { #expect(chat[key] == nil) }
        #expect(
            AnthropicToOpenAI.chatRequest(
                anthropic,
                upstreamModel: "local",
                host: HostDialect(acceptsTopK: false, reportsStopMatch: false)
            )["top_k"] == nil
        )
    }

    @Test func toolUseAndToolResultMapBothWays() throws {
        let anthropic = try request([
            "model": "m", "max_tokens": 10,
            "tools": [
                ["name": "get", "description": "d", "input_schema": ["type": "object"]],
                ["type": "web_search_20250305", "name": "web_search"],
            ],
            "tool_choice": ["type": "tool", "name": "get", "disable_parallel_tool_use": true],
            "messages": [
                ["role": "user", "content": "q"],
                [
                    "role": "assistant",
                    "content": [
                        ["type": "thinking", "thinking": "hm", "signature": "s"], ["type": "text", "text": "let me"],
                        ["type": "tool_use", "id": "toolu_1", "name": "get", "input": ["a": 1]],
                    ],
                ],
                [
                    "role": "user",
                    "content": [
                        ["type": "tool_result", "tool_use_id": "toolu_1", "content": [["type": "text", "text": "42"]], "is_error": true],
                        ["type": "text", "text": "and?"],
                    ],
                ],
            ],
        ])
        let chat = AnthropicToOpenAI.chatRequest(
            anthropic,
            upstreamModel: "m",
            host: HostDialect(acceptsTopK: true, reportsStopMatch: true)
        )
        let messages = try #require(chat["messages"]?.arrayValue)
        #expect(messages.count == 4)
        #expect(messages[1]["content"] == "let me")
        #expect(messages[1]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == #"{"a":1}"#)
        #expect(messages[2] == ["role": "tool", "tool_call_id": "toolu_1", "content": "Error: 42"])
        #expect(messages[3] == ["role": "user", "content": "and?"])
        #expect(chat["tools"]?.arrayValue?.count == 1, "server tools without a schema are dropped")
        #expect(chat["tool_choice"] == ["type": "function", "function": ["name": "get"]])
        #expect(chat["parallel_tool_calls"] == false)
    }

    @Test(arguments: [("auto", JSONValue.string("auto")), ("any", "required"), ("none", "none")])
    func toolChoice(type: String, expected: JSONValue) {
        #expect(AnthropicToOpenAI.toolChoice(["type": .string(type)]) == expected)
    }

    @Test func imagesBecomeDataURLs() {
        let messages = AnthropicToOpenAI.userMessages([
            ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "AAAA"]], ["type": "text", "text": "what?"],
        ])
        #expect(
            messages == [
                [
                    "role": "user",
                    "content": [
                        ["type": "image_url", "image_url": ["url": "data:image/png;base64,AAAA"]], ["type": "text", "text": "what?"],
                    ],
                ]
            ]
        )
    }

    @Test func refusesMalformedRequestsNamingTheField() {
        let cases: [(JSONValue, String)] = [
            (["max_tokens": 5, "messages": [["role": "user", "content": "x"]]], "model"),
            (["model": "m", "messages": [["role": "user", "content": "x"]]], "max_tokens"),
            (["model": "m", "max_tokens": 5, "messages": []], "messages"),
            (["model": "m", "max_tokens": 5, "messages": [["role": "bot", "content": "x"]]], "messages.0.role"),
            (
                ["model": "m", "max_tokens": 5, "messages": [["role": "user", "content": [["text": "no type"]]]]],
                "messages.0.content.0.type"
            ),
            (["model": "m", "max_tokens": 5, "messages": [["role": "user", "content": "x"]], "stop_sequences": "END"], "stop_sequences"),
        ]
        for (body, param) in cases {
            do {
                _ = try AnthropicRequest(body, requireMaxTokens: true)
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.param == param)
            }
        }
    }

    @Test(arguments: [
        ("stop", nil as String?, "end_turn", nil as String?), ("length", nil, "max_tokens", nil), ("tool_calls", nil, "tool_use", nil),
        ("stop", "END", "stop_sequence", "END"), ("stop", "OTHER", "end_turn", nil),
    ])
    func stopReasons(finish: String, hostStop: String?, reason: String, sequence: String?) throws {
        let anthropic = try request([
            "model": "m", "max_tokens": 5, "stop_sequences": ["END"], "messages": [["role": "user", "content": "x"]],
        ])
        let (stopReason, stopSequence) = OpenAIToAnthropic.stop(finishReason: finish, hostStop: hostStop, request: anthropic)
        #expect(stopReason == reason && stopSequence == sequence)
    }

    @Test func completionBecomesAMessage() throws {
        let anthropic = try request(["model": "claude-x", "max_tokens": 5, "messages": [["role": "user", "content": "x"]]])
        let completion: JSONValue = [
            "choices": [
                [
                    "finish_reason": "tool_calls",
                    "message": [
                        "role": "assistant", "content": "ok",
                        "tool_calls": [
                            ["id": "call_1", "type": "function", "function": ["name": "get", "arguments": #"{"a": [1, 2]}"#]],
                            ["id": "call_2", "type": "function", "function": ["name": "bad", "arguments": "not json"]],
                        ],
                    ],
                ]
            ],
            "usage": ["prompt_tokens": 10, "completion_tokens": 3],
        ]
        let typed = try #require(OpenAICompletion(parsing: completion.serialized))
        let message = OpenAIToAnthropic.message(typed, request: anthropic, messageID: "msg_1")
        #expect(message["model"] == "claude-x" && message["stop_reason"] == "tool_use")
        #expect(
            message["content"] == [
                ["type": "text", "text": "ok"],
                ["type": "tool_use", "id": "call_1", "name": "get", "input": ["a": [1, 2]]],
                ["type": "tool_use", "id": "call_2", "name": "bad", "input": ["_raw": "not json"]],
            ]
        )
        #expect(message["usage"] == ["input_tokens": 10, "output_tokens": 3])
    }
}
