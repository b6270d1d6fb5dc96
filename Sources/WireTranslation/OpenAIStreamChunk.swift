package import JSONWire
package import NIOCore

/// The parts of an OpenAI `chat.completion.chunk` the Anthropic translation reads, read from
/// the gateway's own JSON parser (the one JSON stack); everything else is ignored. Fields of
/// the wrong type read as absent.
package struct OpenAIStreamChunk: Sendable {
    package struct Choice: Sendable {
        package var delta: Delta?
        package var finishReason: String?
        /// vLLM names the stop string that ended generation here (or a token id, ignored).
        package var stopReason: String?

        package init(delta: Delta?, finishReason: String?, stopReason: String?) {
            self.delta = delta
            self.finishReason = finishReason
            self.stopReason = stopReason
        }

        package init(_ json: JSONValue) {
            delta = json["delta"].flatMap { $0.objectValue == nil ? nil : Delta($0) }
            finishReason = json["finish_reason"]?.stringValue
            stopReason = json["stop_reason"]?.stringValue
        }
    }

    package struct Delta: Sendable {
        package var content: String?
        package var reasoningContent: String?
        package var toolCalls: [ToolCall]?

        package init(content: String? = nil, reasoningContent: String? = nil, toolCalls: [ToolCall]? = nil) {
            self.content = content
            self.reasoningContent = reasoningContent
            self.toolCalls = toolCalls
        }

        /// A delta or a whole message: the same three fields.
        package init(_ json: JSONValue) {
            content = json["content"]?.stringValue
            reasoningContent = json["reasoning_content"]?.stringValue
            toolCalls = json["tool_calls"]?.arrayValue?.compactMap { $0.objectValue == nil ? nil : ToolCall($0) }
        }
    }

    package struct ToolCall: Sendable {
        package struct Function: Sendable {
            package var name: String?
            package var arguments: String?
        }

        package var index: Int?
        package var id: String?
        package var function: Function?

        package init(index: Int? = nil, id: String? = nil, function: Function? = nil) {
            self.index = index
            self.id = id
            self.function = function
        }

        package init(_ json: JSONValue) {
            index = json["index"]?.intValue.map { Int($0) }
            id = json["id"]?.stringValue
            function = json["function"].flatMap { value in
                value.objectValue.map { _ in Function(name: value["name"]?.stringValue, arguments: value["arguments"]?.stringValue) }
            }
        }
    }

    package struct Usage: Sendable {
        package var promptTokens: Int64?
        package var completionTokens: Int64?

        package init?(_ json: JSONValue?) {
            guard let json, json.objectValue != nil else { return nil }
            promptTokens = json["prompt_tokens"]?.intValue
            completionTokens = json["completion_tokens"]?.intValue
        }
    }

    package struct ErrorBody: Sendable {
        package var message: String?
    }

    package var choices: [Choice]?
    package var usage: Usage?
    package var error: ErrorBody?

    package init(choices: [Choice]? = nil, usage: Usage? = nil) {
        self.choices = choices
        self.usage = usage
    }

    /// The chunk in an event's `data`, or nil when it is not a JSON object.
    package init?(parsing text: String) {
        guard let json = try? JSONValue.parse(text), json.objectValue != nil else { return nil }
        choices = json["choices"]?.arrayValue?.compactMap { $0.objectValue == nil ? nil : Choice($0) }
        usage = Usage(json["usage"])
        error = json["error"]?.objectValue.map { ErrorBody(message: $0["message"]?.stringValue) }
    }
}

/// The parts of a (non-streamed) OpenAI `chat.completion` the Anthropic translation reads;
/// everything else is ignored.
package struct OpenAICompletion: Sendable {
    package struct Choice: Sendable {
        package var message: OpenAIStreamChunk.Delta?
        package var finishReason: String?
        package var stopReason: String?
    }

    package var choices: [Choice]
    package var usage: OpenAIStreamChunk.Usage?

    /// The completion in a host's answer, or nil when it is not one (no `choices` list). A host
    /// that answers with content parts instead of a string gets its text ignored rather than
    /// the whole answer refused.
    package init?(parsing body: ByteBuffer) {
        guard let json = try? JSONValue.parse(body), let choices = json["choices"]?.arrayValue else { return nil }
        self.choices = choices.compactMap { choice in
            guard choice.objectValue != nil else { return nil }
            return Choice(
                message: choice["message"].flatMap { $0.objectValue == nil ? nil : OpenAIStreamChunk.Delta($0) },
                finishReason: choice["finish_reason"]?.stringValue,
                stopReason: choice["stop_reason"]?.stringValue
            )
        }
        usage = OpenAIStreamChunk.Usage(json["usage"])
    }
}
