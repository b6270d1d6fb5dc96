import JSONWire

/// Turns an OpenAI chat-completions chunk stream into the Anthropic Messages event sequence, in
/// the order the SDKs expect: `message_start`, then per content block `content_block_start`,
/// deltas (`text_delta`, `thinking_delta`, `input_json_delta` as tool arguments arrive) and
/// `content_block_stop`, then `message_delta` (stop reason, usage) and `message_stop`.
///
/// A pure state machine: chunks in, events out, no I/O. Hosts that repeat a tool call's id and
/// name in every delta (llama.cpp) are handled by keying tool blocks on the OpenAI `index`.
package struct AnthropicStreamTranslator {
    private enum Block: Equatable {
        case none
        case text(index: Int)
        case thinking(index: Int)
        case tool(index: Int, openAIIndex: Int)
    }

    let request: AnthropicRequest
    let messageID: String
    package private(set) var inputTokens: Int64
    package private(set) var outputTokens: Int64 = 0
    /// Whether the host reported usage (llama-cpp-python never does in streams).
    package private(set) var sawUsage = false
    /// Everything the host generated (text, thinking, tool arguments), for counting output
    /// tokens when it reports no usage.
    package private(set) var generated = ""
    private var block: Block = .none
    private var nextIndex = 0
    private var stopReason: String?
    private var stopSequence: String?
    package private(set) var sawFinish = false
    package private(set) var finished = false
    /// Stop sequences the gateway matches itself (when the host does not name matches).
    private var stopMatcher: StopSequenceMatcher

    package init(request: AnthropicRequest, messageID: String, inputTokens: Int64, matchStopSequences: Bool = false) {
        self.request = request
        self.messageID = messageID
        self.inputTokens = inputTokens
        self.stopMatcher = StopSequenceMatcher(sequences: matchStopSequences ? request.stopSequences : [])
    }

    /// A stop sequence matched in the text: the message is complete, the host can be let go.
    package var stoppedAtSequence: Bool { stopMatcher.matched != nil }

    package func start() -> [AnthropicEvent] {
        [
            AnthropicEvent(
                name: "message_start",
                data: [
                    "type": "message_start",
                    "message": [
                        "id": .string(messageID), "type": "message", "role": "assistant", "model": .string(request.model),
                        "content": [], "stop_reason": .null, "stop_sequence": .null,
                        "usage": ["input_tokens": .int(inputTokens), "output_tokens": 0],
                    ],
                ]
            ),
            ping,
        ]
    }

    package var ping: AnthropicEvent { AnthropicEvent(name: "ping", data: ["type": "ping"]) }

    /// One OpenAI `chat.completion.chunk`.
    package mutating func feed(_ chunk: OpenAIStreamChunk) -> [AnthropicEvent] {
        var events: [AnthropicEvent] = []
        if let usage = chunk.usage {
            sawUsage = true
            if let prompt = usage.promptTokens, prompt > 0 { inputTokens = prompt }
            if let completion = usage.completionTokens { outputTokens = completion }
        }
        guard let choice = chunk.choices?.first else { return events }
        let delta = choice.delta
        generated += (delta?.reasoningContent ?? "") + (delta?.content ?? "")
        for call in delta?.toolCalls ?? [] { generated += call.function?.arguments ?? "" }
        if request.wantsThinking, let reasoning = delta?.reasoningContent, !reasoning.isEmpty {
            if case .thinking(let index) = block {
                events.append(self.delta(index, ["type": "thinking_delta", "thinking": .string(reasoning)]))
            } else {
                let index = open(.thinking(index: nextIndex), ["type": "thinking", "thinking": "", "signature": ""], into: &events)
                events.append(self.delta(index, ["type": "thinking_delta", "thinking": .string(reasoning)]))
            }
        }
        guard !stoppedAtSequence else { return events }
        if let content = delta?.content, !content.isEmpty {
            emitText(stopMatcher.feed(content), into: &events)
            if let sequence = stopMatcher.matched {
                sawFinish = true
                (stopReason, stopSequence) = ("stop_sequence", sequence)
                return events
            }
        }
        if delta?.toolCalls?.isEmpty == false { emitText(stopMatcher.flush(), into: &events) }
        for call in delta?.toolCalls ?? [] {
            let openAIIndex = call.index ?? 0
            let index: Int
            if case .tool(let current, openAIIndex) = block {
                index = current
            } else {
                index = open(
                    .tool(index: nextIndex, openAIIndex: openAIIndex),
                    [
                        "type": "tool_use", "id": .string(call.id ?? OpenAIToAnthropic.toolUseID()),
                        "name": .string(call.function?.name ?? ""), "input": [:],
                    ],
                    into: &events
                )
            }
            if let arguments = call.function?.arguments, !arguments.isEmpty {
                events.append(self.delta(index, ["type": "input_json_delta", "partial_json": .string(arguments)]))
            }
        }
        if let finish = choice.finishReason {
            emitText(stopMatcher.flush(), into: &events)
            sawFinish = true
            (stopReason, stopSequence) = OpenAIToAnthropic.stop(finishReason: finish, hostStop: choice.stopReason, request: request)
        }
        return events
    }

    /// Output tokens counted by the gateway (on the host's tokenizer) when the host reported none.
    package mutating func countedOutput(_ tokens: Int64) {
        outputTokens = tokens
    }

    /// Closes the open block and ends the message; nothing more may follow.
    package mutating func finish() -> [AnthropicEvent] {
        guard !finished else { return [] }
        finished = true
        var events: [AnthropicEvent] = []
        emitText(stopMatcher.flush(), into: &events)
        closeBlock(into: &events)
        events.append(
            AnthropicEvent(
                name: "message_delta",
                data: [
                    "type": "message_delta",
                    "delta": [
                        "stop_reason": .string(stopReason ?? "end_turn"), "stop_sequence": stopSequence.map(JSONValue.string) ?? .null,
                    ],
                    "usage": ["input_tokens": .int(inputTokens), "output_tokens": .int(outputTokens)],
                ]
            )
        )
        events.append(AnthropicEvent(name: "message_stop", data: ["type": "message_stop"]))
        return events
    }

    private mutating func emitText(_ text: String, into events: inout [AnthropicEvent]) {
        guard !text.isEmpty else { return }
        if case .text(let index) = block {
            events.append(delta(index, ["type": "text_delta", "text": .string(text)]))
        } else {
            let index = open(.text(index: nextIndex), ["type": "text", "text": ""], into: &events)
            events.append(delta(index, ["type": "text_delta", "text": .string(text)]))
        }
    }

    private mutating func open(_ new: Block, _ contentBlock: JSONValue, into events: inout [AnthropicEvent]) -> Int {
        closeBlock(into: &events)
        let index = nextIndex
        nextIndex += 1
        block = new
        events.append(
            AnthropicEvent(
                name: "content_block_start",
                data: [
                    "type": "content_block_start", "index": .int(Int64(index)), "content_block": contentBlock,
                ]
            )
        )
        return index
    }

    private mutating func closeBlock(into events: inout [AnthropicEvent]) {
        let index: Int
        switch block {
        case .none: return
        case .text(let value), .thinking(let value), .tool(let value, _): index = value
        }
        if case .thinking = block {
            events.append(delta(index, ["type": "signature_delta", "signature": ""]))
        }
        events.append(AnthropicEvent(name: "content_block_stop", data: ["type": "content_block_stop", "index": .int(Int64(index))]))
        block = .none
    }

    private func delta(_ index: Int, _ delta: JSONValue) -> AnthropicEvent {
        AnthropicEvent(name: "content_block_delta", data: ["type": "content_block_delta", "index": .int(Int64(index)), "delta": delta])
    }
}
