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
