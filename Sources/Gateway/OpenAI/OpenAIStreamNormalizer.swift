import Foundation
import JSONWire
import LocalLLM

/// Makes a host's chat-completion stream look like OpenAI's to the client, whatever the engine:
///
/// - tool calls: OpenAI sends a call's `id`, `type` and `function.name` only in its first delta;
///   some engines (llama-cpp-python) repeat them in every delta, which makes clients that
///   concatenate fields (the SDKs' stream helpers, LangChain) build `get_weatherget_weather…`.
///   Repeats are dropped.
/// - usage: the gateway always asks the host for `include_usage` (exact counts for the audit
///   record) and drops the usage-only chunk when the client did not ask for it. The chunks are
///   kept (as received, not parsed) until the host reports usage, folded into their text each
///   64 KiB (a long answer holds its text, not 40 times as much JSON); a host that never reports
///   usage (it ignores `include_usage`) gets its completion counted afterwards from the text it
///   streamed (``completionText``).
///
/// Pure: no I/O. Chunks without `tool_calls` pass through unparsed.
struct OpenAIStreamNormalizer {
    enum Action: Equatable {
        case forward
        case replace(String)
        case drop
    }

    /// Whether the client asked for `stream_options.include_usage`.
    let clientWantsUsage: Bool
    private var announced: Set<[Int64]> = []
    private(set) var sawUsage = false
    private var held: [String] = []
    private(set) var heldBytes = 0
    /// The text of chunks already folded out of `held`.
    private var heldText = ""
    private static let maxHeldBytes = 64 << 10
    /// `id`, `model`, `created` of the last chunk, for a usage chunk the gateway adds.
    private(set) var id: String?
    private(set) var model: String?
    private(set) var created: Int64?

    init(clientWantsUsage: Bool) {
        self.clientWantsUsage = clientWantsUsage
    }

    /// What to send for the event whose data is `data`.
    mutating func normalize(_ data: String) -> Action {
        if data.containsUTF8("\"prompt_tokens\"") && !data.containsUTF8("\"usage\":null") && !data.containsUTF8("\"usage\": null") {
            sawUsage = true
            held = []
            heldBytes = 0
            heldText = ""
            if !clientWantsUsage, let chunk = try? JSONValue.parse(data),
                chunk["choices"]?.arrayValue?.isEmpty ?? true
            {
                return .drop
            }
        } else if !sawUsage {
            held.append(data)
            heldBytes += data.utf8.count
            if heldBytes > Self.maxHeldBytes { foldHeld() }
        }
        guard data.containsUTF8("\"tool_calls\"") else { return .forward }
        guard var chunk = try? JSONValue.parse(data),
            var choices = chunk["choices"]?.arrayValue
        else { return .forward }
        var changed = false
        for (position, choice) in choices.enumerated() {
            guard var delta = choice["delta"], var calls = delta["tool_calls"]?.arrayValue else { continue }
            let choiceIndex = choice["index"]?.intValue ?? Int64(position)
            for (slot, call) in calls.enumerated() {
                let key = [choiceIndex, call["index"]?.intValue ?? Int64(slot)]
                guard announced.contains(key) else {
                    announced.insert(key)
                    continue
                }
                var trimmed = call
                if case .object(var fields) = trimmed {
                    for repeated in ["id", "type"] where fields.removeValue(forKey: repeated) != nil { changed = true }
                    if var function = fields["function"]?.objectValue, function.removeValue(forKey: "name") != nil {
                        fields["function"] = .object(function)
                        changed = true
                    }
                    trimmed = .object(fields)
                }
                calls[slot] = trimmed
            }
            delta["tool_calls"] = .array(calls)
            var updated = choice
            updated["delta"] = delta
            choices[position] = updated
        }
        guard changed else { return .forward }
        chunk["choices"] = .array(choices)
        return .replace(chunk.serializedString)
    }

    /// The text the host generated (content and tool-call arguments), from the chunks held
    /// because no usage came; also notes the stream's `id`, `model` and `created`.
    mutating func completionText() -> String {
        foldHeld()
        return heldText
    }

    /// Moves the held chunks' text into `heldText`.
    private mutating func foldHeld() {
        var text = heldText
        heldText = ""
        defer {
            heldText = text
            held.removeAll(keepingCapacity: true)
            heldBytes = 0
        }
        for data in held where data != "[DONE]" {
            guard let chunk = try? JSONValue.parse(data) else { continue }
            id = chunk["id"]?.stringValue ?? id
            model = chunk["model"]?.stringValue ?? model
            created = chunk["created"]?.intValue ?? created
            for choice in chunk["choices"]?.arrayValue ?? [] {
                text += choice["delta"]?["content"]?.stringValue ?? ""
                for call in choice["delta"]?["tool_calls"]?.arrayValue ?? [] {
                    text += call["function"]?["arguments"]?.stringValue ?? ""
                }
            }
        }
    }

    /// The usage chunk OpenAI sends last when asked with `include_usage`.
    func usageChunk(prompt: Int64, completion: Int64) -> String {
        let chunk: JSONValue = [
            "id": .string(id ?? "chatcmpl-tappass"), "object": "chat.completion.chunk", "created": .int(created ?? 0),
            "model": .string(model ?? ""), "choices": [],
            "usage": ["prompt_tokens": .int(prompt), "completion_tokens": .int(completion), "total_tokens": .int(prompt + completion)],
        ]
        return chunk.serializedString
    }
}
