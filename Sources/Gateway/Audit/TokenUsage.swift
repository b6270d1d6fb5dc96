import Foundation

/// Tokens in and out as a host (or the translation) reported them, for the audit record.
struct TokenUsage: Sendable, Equatable {
    var input: Int64?
    var output: Int64?

    /// Merges what one JSON document (a completion, a stream chunk, an Anthropic message or
    /// event) says about usage: OpenAI's `usage.prompt_tokens/completion_tokens`, Anthropic's
    /// `usage.input_tokens/output_tokens` or `message.usage`. Cheap when there is none.
    mutating func take(from json: some StringProtocol) {
        guard json.containsUTF8("_tokens") else { return }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(json.utf8)) else { return }
        for usage in [envelope.usage, envelope.message?.usage].compactMap({ $0 }) {
            if let value = usage.prompt_tokens ?? usage.input_tokens, value > 0 || input == nil { input = value }
            if let value = usage.completion_tokens ?? usage.output_tokens { output = value }
        }
    }

    private struct Envelope: Decodable {
        struct Message: Decodable { var usage: Usage? }
        var usage: Usage?
        var message: Message?
    }

    private struct Usage: Decodable {
        var prompt_tokens: Int64?
        var completion_tokens: Int64?
        var input_tokens: Int64?
        var output_tokens: Int64?
    }
}
