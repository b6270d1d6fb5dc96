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
        "signature", "finish_reason", "index", "logprobs", "stop_reason", "audio",
    ]

    /// Where a content string sits (`messages[1].content`), rendered only when asked for: most
    /// strings pass without anyone needing their path.
    package struct Path: CustomStringConvertible, Sendable {
        enum Step: Sendable {
            case key(String)
            case index(Int)
        }

        var steps: [Step]

        package var description: String {
            var text = ""
            for step in steps {
                switch step {
                case .key(let key): text += text.isEmpty ? key : ".\(key)"
                case .index(let index): text += "[\(index)]"
                }
            }
            return text
        }
    }

    /// Calls `transform` with each content string and its path; a non-nil result replaces the
    /// string. The body is only copied where a string is replaced.
    package static func rewrite(
        _ body: inout JSONValue,
        roots: [String],
        _ transform: (String, Path) throws -> String?
    ) rethrows {
        guard case .object(let object) = body else { return }
        var path = Path(steps: [])
        var rewritten: [String: JSONValue]?
        for root in roots {
            guard let value = object[root] else { continue }
            path.steps = [.key(root)]
            if let replaced = try visit(value, path: &path, transform) {
                if rewritten == nil { rewritten = object }
                rewritten![root] = replaced
            }
        }
        if let rewritten { body = .object(rewritten) }
    }

    /// Every content string, with its path.
    package static func texts(_ body: JSONValue, roots: [String]) -> [(path: String, text: String)] {
        var texts: [(path: String, text: String)] = []
        var copy = body
        rewrite(&copy, roots: roots) { text, path in
            texts.append((path.description, text))
            return nil
        }
        return texts
    }

    /// The value with its content strings transformed, or nil when none changed (read only).
    private static func visit(_ value: JSONValue, path: inout Path, _ transform: (String, Path) throws -> String?) rethrows -> JSONValue? {
        switch value {
        case .string(let text):
            guard !text.isEmpty, let replaced = try transform(text, path) else { return nil }
            return .string(replaced)
        case .array(let items):
            var rewritten: [JSONValue]?
            for index in items.indices {
                path.steps.append(.index(index))
                defer { path.steps.removeLast() }
                guard let replaced = try visit(items[index], path: &path, transform) else { continue }
                if rewritten == nil { rewritten = items }
                rewritten![index] = replaced
            }
            return rewritten.map(JSONValue.array)
        case .object(let object):
            var rewritten: [String: JSONValue]?
            // Keys in order, so findings (and the first blocked path) do not depend on hashing.
            let keys = object.count == 1 ? Array(object.keys) : object.keys.sorted()
            for key in keys where !structural.contains(key) {
                path.steps.append(.key(key))
                defer { path.steps.removeLast() }
                guard let replaced = try visit(object[key]!, path: &path, transform) else { continue }
                if rewritten == nil { rewritten = object }
                rewritten![key] = replaced
            }
            return rewritten.map(JSONValue.object)
        default:
            return nil
        }
    }
}
