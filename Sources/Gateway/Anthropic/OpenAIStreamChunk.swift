/// The parts of an OpenAI `chat.completion.chunk` the Anthropic translation reads, decoded as a
/// typed model (much cheaper per event than a generic JSON value); everything else is ignored.
struct OpenAIStreamChunk: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        var delta: Delta?
        var finishReason: String?
        /// vLLM names the stop string that ended generation here (or a token id, ignored).
        var stopReason: String?

        enum CodingKeys: String, CodingKey {
            case delta
            case finishReason = "finish_reason"
            case stopReason = "stop_reason"
        }

        init(delta: Delta?, finishReason: String?, stopReason: String?) {
            self.delta = delta
            self.finishReason = finishReason
            self.stopReason = stopReason
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            delta = try container.decodeIfPresent(Delta.self, forKey: .delta)
            finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
            stopReason = try? container.decodeIfPresent(String.self, forKey: .stopReason)
        }
    }

    struct Delta: Decodable, Sendable {
        var content: String?
        var reasoningContent: String?
        var toolCalls: [ToolCall]?

        enum CodingKeys: String, CodingKey {
            case content
            case reasoningContent = "reasoning_content"
            case toolCalls = "tool_calls"
        }
    }

    struct ToolCall: Decodable, Sendable {
        struct Function: Decodable, Sendable {
            var name: String?
            var arguments: String?
        }

        var index: Int?
        var id: String?
        var function: Function?
    }

    struct Usage: Decodable, Sendable {
        var promptTokens: Int64?
        var completionTokens: Int64?

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }

    struct ErrorBody: Decodable, Sendable {
        var message: String?
    }

    var choices: [Choice]?
    var usage: Usage?
    var error: ErrorBody?

    init(choices: [Choice]? = nil, usage: Usage? = nil) {
        self.choices = choices
        self.usage = usage
    }
}

/// The parts of a (non-streamed) OpenAI `chat.completion` the Anthropic translation reads,
/// decoded as a typed model; everything else is ignored.
struct OpenAICompletion: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        var message: Message?
        var finishReason: String?
        var stopReason: String?

        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
            case stopReason = "stop_reason"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            message = try container.decodeIfPresent(Message.self, forKey: .message)
            finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
            stopReason = try? container.decodeIfPresent(String.self, forKey: .stopReason)
        }
    }

    struct Message: Decodable, Sendable {
        var content: String?
        var reasoningContent: String?
        var toolCalls: [OpenAIStreamChunk.ToolCall]?

        enum CodingKeys: String, CodingKey {
            case content
            case reasoningContent = "reasoning_content"
            case toolCalls = "tool_calls"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // A host that answers with content parts instead of a string gets its text ignored
            // rather than the whole answer refused.
            content = try? container.decodeIfPresent(String.self, forKey: .content)
            reasoningContent = try? container.decodeIfPresent(String.self, forKey: .reasoningContent)
            toolCalls = try container.decodeIfPresent([OpenAIStreamChunk.ToolCall].self, forKey: .toolCalls)
        }
    }

    var choices: [Choice]
    var usage: OpenAIStreamChunk.Usage?
}
