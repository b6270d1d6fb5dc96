package import JSONWire

/// What the gateway needs from an Anthropic Messages request, validated before any host sees it.
package struct AnthropicRequest {
    package var body: JSONValue
    package var model: String
    package var streaming: Bool
    var stopSequences: [String]
    /// The client asked for thinking blocks (`thinking.type` other than `disabled`).
    var wantsThinking: Bool
    package var userID: String?

    package init(_ body: JSONValue, requireMaxTokens: Bool) throws(AnthropicRequest.Invalid) {
        self.body = body
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw Invalid("model: Field required (a non-empty string).", param: "model")
        }
        self.model = model
        if requireMaxTokens || body["max_tokens"] != nil {
            guard let maxTokens = body["max_tokens"]?.intValue, maxTokens >= 1 else {
                throw Invalid("max_tokens: Field required (a positive integer).", param: "max_tokens")
            }
        }
        guard let messages = body["messages"]?.arrayValue else {
            throw Invalid("messages: Field required (an array of messages).", param: "messages")
        }
        guard !messages.isEmpty else {
            throw Invalid("messages: at least one message is required.", param: "messages")
        }
        for (index, message) in messages.enumerated() {
            guard let role = message["role"]?.stringValue, ["user", "assistant", "system"].contains(role) else {
                throw Invalid(
                    "messages.\(index).role: expected 'user' or 'assistant'.",
                    param: "messages.\(index).role"
                )
            }
            switch message["content"] {
            case .string: break
            case .array(let blocks):
                for (blockIndex, block) in blocks.enumerated() where block["type"]?.stringValue == nil {
                    throw Invalid(
                        "messages.\(index).content.\(blockIndex).type: Field required.",
                        param: "messages.\(index).content.\(blockIndex).type"
                    )
                }
            default:
                throw Invalid(
                    "messages.\(index).content: expected a string or an array of content blocks.",
                    param: "messages.\(index).content"
                )
            }
        }
        switch body["system"] {
        case nil, .null, .string, .array: break
        default: throw Invalid("system: expected a string or an array of text blocks.", param: "system")
        }
        switch body["stream"] {
        case nil, .null: streaming = false
        case .bool(let value): streaming = value
        default: throw Invalid("stream: expected a boolean.", param: "stream")
        }
        switch body["stop_sequences"] {
        case nil, .null: stopSequences = []
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil }): stopSequences = items.compactMap(\.stringValue)
        default: throw Invalid("stop_sequences: expected an array of strings.", param: "stop_sequences")
        }
        if let tools = body["tools"], !tools.isNull, tools.arrayValue == nil {
            throw Invalid("tools: expected an array.", param: "tools")
        }
        let thinking = body["thinking"]?["type"]?.stringValue
        wantsThinking = thinking != nil && thinking != "disabled"
        userID = body["metadata"]?["user_id"]?.stringValue
    }
}

extension AnthropicRequest {
    /// Why a request is not a valid Messages request: the message for the client and the field.
    package struct Invalid: Error, Sendable, Equatable {
        package var message: String
        package var param: String?

        package init(_ message: String, param: String? = nil) {
            self.message = message
            self.param = param
        }
    }
}
