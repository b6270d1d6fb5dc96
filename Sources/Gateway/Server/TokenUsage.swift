import JSONWire
import LocalLLM

/// Tokens in and out as a host (or the translation) reported them, for the audit record.
struct TokenUsage: Sendable, Equatable {
    var input: Int64?
    var output: Int64?

    /// Merges what one JSON document (a completion, a stream chunk, an Anthropic message or
    /// event) says about usage: OpenAI's `usage.prompt_tokens/completion_tokens`, Anthropic's
    /// `usage.input_tokens/output_tokens` or `message.usage`. Cheap when there is none; parsed
    /// with the gateway's own JSON parser (Foundation's decoder took ~70 µs per answer).
    mutating func take(from json: some StringProtocol) {
        guard json.containsUTF8("_tokens") else { return }
        guard let document = try? JSONValue.parse(String(json)) else { return }
        for usage in [document["usage"], document["message"]?["usage"]].compactMap({ $0 }) where usage.objectValue != nil {
            if let value = usage["prompt_tokens"]?.intValue ?? usage["input_tokens"]?.intValue, value > 0 || input == nil { input = value }
            if let value = usage["completion_tokens"]?.intValue ?? usage["output_tokens"]?.intValue { output = value }
        }
    }
}
