import Foundation

/// The bodies the mock host answers with, in the OpenAI chat-completions shapes.
enum MockChatFrames {
    static let toolArguments = [#"{"city": "Brussels", "unit": "celsius"}"#, #"{"city": "Ghent", "unit": "celsius"}"#]

    static func completion(model: String, pieces words: [String], tools: [String], promptTokens: Int) -> [String: Any] {
        var message: [String: Any] = ["role": "assistant", "content": tools.isEmpty ? words.joined() as Any : NSNull()]
        if !tools.isEmpty {
            message["tool_calls"] = tools.enumerated().map { index, name in
                ["id": "call_mock_\(index + 1)", "type": "function", "function": ["name": name, "arguments": toolArguments[index % 2]]]
            }
        }
        return [
            "id": "chatcmpl-mock", "object": "chat.completion", "created": 1_700_000_000, "model": model,
            "choices": [["index": 0, "message": message, "finish_reason": tools.isEmpty ? "stop" : "tool_calls"]],
            "usage": ["prompt_tokens": promptTokens, "completion_tokens": words.count, "total_tokens": promptTokens + words.count],
            "x_mock_extension": ["kept": true],
        ]
    }

    static func stream(
        model: String,
        pieces words: [String],
        tools: [String],
        includeUsage: Bool,
        repeatToolIdentity: Bool,
        promptTokens: Int
    ) -> [String] {
        func frame(_ delta: [String: Any], finish: String? = nil, choices: Bool = true, usage: [String: Any]? = nil) -> String {
            var chunk: [String: Any] = ["id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model]
            chunk["choices"] = choices ? [["index": 0, "delta": delta, "finish_reason": finish.map { $0 as Any } ?? NSNull()]] : []
            if let usage { chunk["usage"] = usage }
            let data = (try? JSONSerialization.data(withJSONObject: chunk)) ?? Data()
            return "data: \(String(decoding: data, as: UTF8.self))\n\n"
        }
        var frames = [frame(["role": "assistant", "content": ""])]
        if !tools.isEmpty {
            for (index, name) in tools.enumerated() {
                let id = "call_mock_\(index + 1)"
                frames.append(
                    frame(["tool_calls": [["index": index, "id": id, "type": "function", "function": ["name": name, "arguments": ""]]]])
                )
                let arguments = Array(toolArguments[index % 2])
                for start in stride(from: 0, to: arguments.count, by: 8) {
                    let piece = String(arguments[start..<min(start + 8, arguments.count)])
                    var call: [String: Any] = ["index": index, "function": ["arguments": piece]]
                    if repeatToolIdentity {
                        call["id"] = id
                        call["type"] = "function"
                        call["function"] = ["name": name, "arguments": piece]
                    }
                    frames.append(frame(["tool_calls": [call]]))
                }
            }
            frames.append(frame([:], finish: "tool_calls"))
        } else {
            for word in words {
                frames.append(frame(["content": word]))
            }
            frames.append(frame([:], finish: "stop"))
        }
        if includeUsage {
            frames.append(
                frame(
                    [:],
                    choices: false,
                    usage: ["prompt_tokens": promptTokens, "completion_tokens": words.count, "total_tokens": promptTokens + words.count]
                )
            )
        }
        frames.append("data: [DONE]\n\n")
        return frames
    }
}

/// The mock's tokenizer: the chat template renders "role: content" lines, a token is a word.
enum MockTokenizer {
    static func template(_ json: [String: Any]) -> String {
        let messages = json["messages"] as? [[String: Any]] ?? []
        return messages.map { message in
            let content = message["content"] as? String ?? ""
            return "\(message["role"] as? String ?? ""): \(content)"
        }.joined(separator: "\n")
    }

    static func count(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace }).count
    }
}
