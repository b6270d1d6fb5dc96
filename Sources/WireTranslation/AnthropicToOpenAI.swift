package import JSONWire

/// Translates an Anthropic Messages request into an OpenAI chat-completions request for an
/// OpenAI-compatible host. Anthropic-only fields (`thinking`, `context_management`,
/// `output_config`, `cache_control`, beta tool flags) are dropped; everything with an OpenAI
/// meaning is mapped.
package enum AnthropicToOpenAI {
    package static func chatRequest(_ request: AnthropicRequest, upstreamModel: String, host: HostDialect) -> JSONValue {
        let body = request.body
        var systemParts: [String] = []
        systemParts += systemTexts(body["system"])
        var messages: [JSONValue] = []
        for message in body["messages"]?.arrayValue ?? [] {
            switch message["role"]?.stringValue {
            case "system":
                // Claude Code sends environment details as a system entry inside `messages`.
                systemParts += systemTexts(message["content"])
            case "assistant":
                messages.append(assistantMessage(message["content"]))
            default:
                messages += userMessages(message["content"])
            }
        }
        if !systemParts.isEmpty {
            messages.insert(["role": "system", "content": .string(systemParts.joined(separator: "\n\n"))], at: 0)
        }
        var chat: [String: JSONValue] = [
            "model": .string(upstreamModel),
            "messages": .array(messages),
            "max_tokens": body["max_tokens"] ?? .int(1024),
        ]
        if request.streaming {
            chat["stream"] = true
            chat["stream_options"] = ["include_usage": true]
        }
        for key in ["temperature", "top_p"] { if let value = body[key], !value.isNull { chat[key] = value } }
        if let topK = body["top_k"], !topK.isNull, host.acceptsTopK { chat["top_k"] = topK }
        // vLLM says which stop string ended generation; for other hosts the gateway finds the
        // sequences itself (StopSequenceMatcher) so it can name the one that matched.
        if !request.stopSequences.isEmpty, host.reportsStopMatch {
            chat["stop"] = .array(request.stopSequences.map(JSONValue.string))
        }
        if let user = request.userID { chat["user"] = .string(user) }
        let tools = (body["tools"]?.arrayValue ?? []).compactMap(functionTool)
        if !tools.isEmpty {
            chat["tools"] = .array(tools)
            if let choice = body["tool_choice"] {
                if let mapped = toolChoice(choice) { chat["tool_choice"] = mapped }
                if choice["disable_parallel_tool_use"]?.boolValue == true { chat["parallel_tool_calls"] = false }
            }
        }
        return .object(chat)
    }

    /// Texts of a `system` value: a string, or text blocks (their `cache_control` is dropped).
    static func systemTexts(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text): text.isEmpty ? [] : [text]
        case .array(let blocks): blocks.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }
        default: []
        }
    }

    /// A user turn: `tool_result` blocks become `tool` messages (which must follow the
    /// assistant's tool calls directly), the rest one user message.
    static func userMessages(_ content: JSONValue?) -> [JSONValue] {
        guard case .array(let blocks) = content else {
            return [["role": "user", "content": content ?? ""]]
        }
        var toolMessages: [JSONValue] = []
        var parts: [JSONValue] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text":
                parts.append(["type": "text", "text": block["text"] ?? ""])
            case "image":
                if let url = imageURL(block["source"]) { parts.append(["type": "image_url", "image_url": ["url": .string(url)]]) }
            case "document":
                if block["source"]?["type"]?.stringValue == "text", let text = block["source"]?["data"]?.stringValue {
                    parts.append(["type": "text", "text": .string(text)])
                }
            case "tool_result":
                var text = toolResultText(block["content"])
                if block["is_error"]?.boolValue == true { text = "Error: " + text }
                toolMessages.append(["role": "tool", "tool_call_id": block["tool_use_id"] ?? "", "content": .string(text)])
            default:
                break  // thinking, server tool results and unknown blocks have no OpenAI meaning
            }
        }
        guard !parts.isEmpty else { return toolMessages }
        let onlyText = parts.allSatisfy { $0["type"]?.stringValue == "text" }
        let content: JSONValue =
            onlyText
            ? .string(parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n"))
            : .array(parts)
        return toolMessages + [["role": "user", "content": content]]
    }

    static func assistantMessage(_ content: JSONValue?) -> JSONValue {
        guard case .array(let blocks) = content else {
            return ["role": "assistant", "content": content ?? ""]
        }
        var texts: [String] = []
        var calls: [JSONValue] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text":
                if let text = block["text"]?.stringValue { texts.append(text) }
            case "tool_use":
                calls.append([
                    "id": block["id"] ?? "", "type": "function",
                    "function": ["name": block["name"] ?? "", "arguments": .string((block["input"] ?? [:]).serializedString)],
                ])
            default:
                break
            }
        }
        var message: [String: JSONValue] = ["role": "assistant"]
        message["content"] = texts.isEmpty && !calls.isEmpty ? .null : .string(texts.joined(separator: "\n"))
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        return .object(message)
    }

    static func functionTool(_ tool: JSONValue) -> JSONValue? {
        // Server tools (web search, code execution, …) carry a `type` and no schema: the host cannot run them.
        guard let name = tool["name"]?.stringValue, let schema = tool["input_schema"] else { return nil }
        var function: [String: JSONValue] = ["name": .string(name), "parameters": schema]
        if let description = tool["description"]?.stringValue { function["description"] = .string(description) }
        return ["type": "function", "function": .object(function)]
    }

    static func toolChoice(_ choice: JSONValue) -> JSONValue? {
        switch choice["type"]?.stringValue {
        case "auto": "auto"
        case "any": "required"
        case "none": "none"
        case "tool": choice["name"].map { ["type": "function", "function": ["name": $0]] }
        default: nil
        }
    }

    static func toolResultText(_ content: JSONValue?) -> String {
        switch content {
        case .string(let text): text
        case .array(let blocks):
            blocks.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n")
        case nil, .null: ""
        default: content!.serializedString
        }
    }

    static func imageURL(_ source: JSONValue?) -> String? {
        switch source?["type"]?.stringValue {
        case "base64":
            guard let media = source?["media_type"]?.stringValue, let data = source?["data"]?.stringValue else { return nil }
            return "data:\(media);base64,\(data)"
        case "url":
            return source?["url"]?.stringValue
        default:
            return nil
        }
    }
}
