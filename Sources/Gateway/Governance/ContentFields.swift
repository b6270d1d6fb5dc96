package import LocalLLM

/// The text a request or response carries, wherever each wire format puts it: message content
/// (strings and text parts), system prompts, tool-call arguments and tool results, embeddings
/// input. Everything under the content roots is visited except fields that are structure, not
/// content (roles, ids, types, image data).
package enum ContentFields {
    /// Request keys that hold content, in OpenAI chat, Anthropic Messages and embeddings bodies.
    package static let requestRoots = ["messages", "system", "input", "prompt"]
    /// Response keys: OpenAI `choices`, Anthropic `content`.
    package static let responseRoots = ["choices", "content"]

    static let structural: Set<String> = [
        "role", "type", "id", "name", "tool_call_id", "tool_use_id", "model", "image_url", "source", "cache_control", "media_type",
        "signature", "finish_reason", "index", "logprobs", "stop_reason", "refusal", "audio",
    ]

    /// Calls `transform` with each content string and its path (`messages[1].content`); a
    /// non-nil result replaces the string.
    package static func rewrite(
        _ body: inout JSONValue,
        roots: [String],
        _ transform: (String, String) throws -> String?
    ) rethrows {
        guard case .object(var object) = body else { return }
        var changed = false
        for root in roots {
            guard var value = object[root] else { continue }
            if try visit(&value, path: root, transform) {
                object[root] = value
                changed = true
            }
        }
        if changed { body = .object(object) }
    }

    /// Every content string, with its path.
    package static func texts(_ body: JSONValue, roots: [String]) -> [(path: String, text: String)] {
        var texts: [(path: String, text: String)] = []
        var copy = body
        rewrite(&copy, roots: roots) { text, path in
            texts.append((path, text))
            return nil
        }
        return texts
    }

    private static func visit(_ value: inout JSONValue, path: String, _ transform: (String, String) throws -> String?) rethrows -> Bool {
        switch value {
        case .string(let text):
            guard !text.isEmpty, let replaced = try transform(text, path) else { return false }
            value = .string(replaced)
            return true
        case .array(var items):
            var changed = false
            for index in items.indices where try visit(&items[index], path: "\(path)[\(index)]", transform) { changed = true }
            if changed { value = .array(items) }
            return changed
        case .object(var object):
            var changed = false
            for key in object.keys.sorted() where !structural.contains(key) {
                if try visit(&object[key]!, path: "\(path).\(key)", transform) { changed = true }
            }
            if changed { value = .object(object) }
            return changed
        default:
            return false
        }
    }
}
