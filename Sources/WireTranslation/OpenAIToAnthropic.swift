import Foundation
package import JSONWire

/// Translates an OpenAI chat completion from a host back into an Anthropic `message`.
package enum OpenAIToAnthropic {
    /// - matchStopSequences: the gateway, not the host, applies `stop_sequences` (the host was
    ///   not given them): the text is cut at the earliest one and it is named.
    package static func message(
        _ completion: OpenAICompletion,
        request: AnthropicRequest,
        messageID: String,
        matchStopSequences: Bool = false
    ) -> JSONValue {
        let choice = completion.choices.first
        let message = choice?.message
        var content: [JSONValue] = []
        if request.wantsThinking, let reasoning = message?.reasoningContent, !reasoning.isEmpty {
            content.append(["type": "thinking", "thinking": .string(reasoning), "signature": ""])
        }
        var (stopReason, stopSequence) = stop(finishReason: choice?.finishReason, hostStop: choice?.stopReason, request: request)
        var text = message?.content ?? ""
        if matchStopSequences, !request.stopSequences.isEmpty {
            let cut = StopSequenceMatcher.cut(text, at: request.stopSequences)
            if let matched = cut.matched {
                text = cut.text
                (stopReason, stopSequence) = ("stop_sequence", matched)
            }
        }
        if !text.isEmpty {
            content.append(["type": "text", "text": .string(text)])
        }
        for call in stopSequence == nil ? message?.toolCalls ?? [] : [] {
            content.append([
                "type": "tool_use",
                "id": .string(call.id ?? toolUseID()),
                "name": .string(call.function?.name ?? ""),
                "input": toolInput(call.function?.arguments ?? ""),
            ])
        }
        return [
            "id": .string(messageID), "type": "message", "role": "assistant", "model": .string(request.model),
            "content": .array(content),
            "stop_reason": stopReason.map(JSONValue.string) ?? .null,
            "stop_sequence": stopSequence.map(JSONValue.string) ?? .null,
            "usage": [
                "input_tokens": .int(completion.usage?.promptTokens ?? 0),
                "output_tokens": .int(completion.usage?.completionTokens ?? 0),
            ],
        ]
    }

    /// `finish_reason` → `stop_reason`. A stop sequence is named when the host says which one
    /// matched (vLLM's `stop_reason`); hosts that do not say report `end_turn`.
    static func stop(finishReason: String?, hostStop: String?, request: AnthropicRequest) -> (String?, String?) {
        switch finishReason {
        case "length": return ("max_tokens", nil)
        case "tool_calls", "function_call": return ("tool_use", nil)
        case "stop":
            if let hostStop, request.stopSequences.contains(hostStop) {
                return ("stop_sequence", hostStop)
            }
            return ("end_turn", nil)
        case nil: return (nil, nil)
        default: return ("end_turn", nil)
        }
    }

    /// Tool arguments as the JSON object Anthropic clients expect; arguments that are not a JSON
    /// object (a model's malformed output) are kept as a string under `_raw` rather than lost.
    static func toolInput(_ arguments: String) -> JSONValue {
        let trimmed = arguments.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [:] }
        if let value = try? JSONValue.parse(trimmed), case .object = value {
            return value
        }
        return ["_raw": .string(arguments)]
    }

    static func toolUseID() -> String {
        "toolu_" + randomSuffix()
    }

    package static func messageID() -> String {
        "msg_" + randomSuffix()
    }

    /// 24 base62 characters from three random 64-bit words, 8 characters from each (62^8 < 2^64),
    /// instead of one random draw per character.
    private static func randomSuffix() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var generator = SystemRandomNumberGenerator()
        var characters: [UInt8] = []
        characters.reserveCapacity(24)
        for _ in 0..<3 {
            var word: UInt64 = generator.next()
            for _ in 0..<8 {
                characters.append(alphabet[Int(word % 62)])
                word /= 62
            }
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
