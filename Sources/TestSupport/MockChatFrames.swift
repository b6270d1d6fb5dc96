import Foundation

/// The bodies the mock host answers with, in the OpenAI chat-completions shapes.
enum MockChatFrames {
    static let toolArguments = #"{"city": "Brussels", "unit": "celsius"}"#

    static func completion(model: String, words: [String], tool: String?) -> [String: Any] {
        var message: [String: Any] = ["role": "assistant", "content": tool == nil ? words.joined(separator: " ") as Any : NSNull()]
        if let tool {
            message["tool_calls"] = [["id": "call_mock_1", "type": "function", "function": ["name": tool, "arguments": toolArguments]]]
        }
        return [
            "id": "chatcmpl-mock", "object": "chat.completion", "created": 1_700_000_000, "model": model,
            "choices": [["index": 0, "message": message, "finish_reason": tool == nil ? "stop" : "tool_calls"]],
            "usage": ["prompt_tokens": 7, "completion_tokens": words.count, "total_tokens": 7 + words.count],
            "x_mock_extension": ["kept": true],
        ]
    }

    static func stream(model: String, words: [String], tool: String?, includeUsage: Bool) -> [String] {
        func frame(_ delta: [String: Any], finish: String? = nil, choices: Bool = true, usage: [String: Any]? = nil) -> String {
            var chunk: [String: Any] = ["id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model]
            chunk["choices"] = choices ? [["index": 0, "delta": delta, "finish_reason": finish.map { $0 as Any } ?? NSNull()]] : []
            if let usage { chunk["usage"] = usage }
            let data = (try? JSONSerialization.data(withJSONObject: chunk)) ?? Data()
            return "data: \(String(decoding: data, as: UTF8.self))\n\n"
        }
        var frames = [frame(["role": "assistant", "content": ""])]
        if let tool {
            frames.append(frame(["tool_calls": [["index": 0, "id": "call_mock_1", "type": "function", "function": ["name": tool, "arguments": ""]]]]))
            let arguments = Array(toolArguments)
            stride(from: 0, to: arguments.count, by: 8).forEach { start in
                let piece = String(arguments[start..<min(start + 8, arguments.count)])
                frames.append(frame(["tool_calls": [["index": 0, "function": ["arguments": piece]]]]))
            }
            frames.append(frame([:], finish: "tool_calls"))
        } else {
            for (index, word) in words.enumerated() {
                frames.append(frame(["content": index == 0 ? word : " " + word]))
            }
            frames.append(frame([:], finish: "stop"))
        }
        if includeUsage {
            frames.append(frame([:], choices: false, usage: ["prompt_tokens": 7, "completion_tokens": words.count, "total_tokens": 7 + words.count]))
        }
        frames.append("data: [DONE]\n\n")
        return frames
    }
}
