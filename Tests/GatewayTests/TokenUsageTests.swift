import Testing

@testable import Gateway

/// Usage as hosts and translations report it, merged over a stream's documents.
@Suite struct TokenUsageTests {
    static func usage(_ documents: [String]) -> TokenUsage {
        var usage = TokenUsage()
        for document in documents { usage.take(from: document) }
        return usage
    }

    @Test func openAIAndAnthropicShapes() {
        #expect(
            Self.usage([#"{"id":"x","usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}"#])
                == TokenUsage(input: 12, output: 5)
        )
        // Anthropic: input in message_start, output growing in message_delta.
        let anthropic = Self.usage([
            #"{"type":"message_start","message":{"id":"m","usage":{"input_tokens":30,"output_tokens":1}}}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":42}}"#,
        ])
        #expect(anthropic == TokenUsage(input: 30, output: 42))
    }

    @Test func documentsWithoutUsageChangeNothing() {
        #expect(Self.usage([#"{"choices":[],"usage":null}"#, "[DONE]", #"{"note":"max_tokens"}"#, "not json _tokens"]) == TokenUsage())
        // A later zero input does not overwrite a count already seen.
        #expect(
            Self.usage([#"{"usage":{"prompt_tokens":9}}"#, #"{"usage":{"prompt_tokens":0,"completion_tokens":3}}"#])
                == TokenUsage(input: 9, output: 3)
        )
    }
}
