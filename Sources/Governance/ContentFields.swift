import Detection
package import JSONWire
internal import TextViews

/// The strings of a request or response that governance reads, in a fixed order (object keys
/// sorted), and how each is read.
///
/// A **request** is inspected by default: every string value and every object key anywhere in
/// the body, so a field an SDK adds tomorrow is read, not skipped. The exceptions are the
/// top-level `model` (validated against the configured names instead) and the opaque payload of
/// binary media (a `data:` URL or base64 `data` whose media type is not text, and whose first
/// bytes do not decode to text): only its header is read. A remote URL in a media field
/// (`image_url`, a `url` source, `file_url`, …) is marked, so the policy can refuse media the
/// gateway cannot read.
///
/// A **response** is read where each wire format puts its text (`choices`, `content`), skipping
/// the structure (roles, ids, types, finish reasons).
package enum ContentFields {
    package enum Scope: Sendable {
        case request
        case response
    }

    /// Response keys: OpenAI `choices`, Anthropic `content`.
    static let responseRoots = ["choices", "content"]
    /// Request keys whose text the audit log keeps (as the policy allows).
    static let keptRoots: Set<String> = ["messages", "system", "input", "prompt"]

    /// Structure, not content: skipped in a response; in a request, read but not kept for the audit log.
    static let structure: Set<String> = [
        "role", "type", "id", "name", "tool_call_id", "tool_use_id", "model", "image_url", "source", "cache_control", "media_type",
        "signature", "finish_reason", "index", "logprobs", "stop_reason", "audio",
    ]

    /// Keys whose string value is a media location or payload.
    static let mediaKeys: Set<String> = ["url", "image_url", "file_url", "audio_url", "video_url", "document_url", "file_data", "data"]

    /// Where a string sits (`messages[1].content`), rendered only when asked for.
    package struct Path: CustomStringConvertible, Sendable {
        enum Step: Sendable {
            case key(String)
            case index(Int)
        }

        var steps: [Step]

        package var description: String { rendered(hiding: []) }

        /// The path with each key in `hidden` (keys that carry a finding) written as `[REDACTED]`.
        package func rendered(hiding hidden: Set<String>) -> String {
            var text = ""
            for step in steps {
                switch step {
                case .key(let key):
                    let shown = hidden.contains(key) ? "[REDACTED]" : key
                    text += text.isEmpty ? shown : ".\(shown)"
                case .index(let index): text += "[\(index)]"
                }
            }
            return text
        }
    }

    /// How one string is read.
    package enum Reading: Equatable, Sendable {
        /// All of it.
        case text
        /// An object key (read like text; a replacement renames the key).
        case key
        /// Only the first `count` bytes (a binary data URL's header); the rest is opaque.
        case header(count: Int)
        /// A remote media URL (read as text too).
        case remoteMedia
        /// A text payload too large to decode and read (a `data:` URL of text, or base64 that
        /// claims a binary type but decodes to text, over ``EncodedRuns/maxRun``): what the
        /// gateway cannot read, it does not pass unremarked.
        case oversized
    }

    package struct Segment: Sendable {
        package var path: Path
        package var text: String
        package var reading: Reading
        /// Under a kept root: the audit log keeps its text (redacted as the policy says).
        package var kept: Bool
        /// The bytes the detectors read.
        var scanned: Substring.UTF8View {
            switch reading {
            case .header(let count): text.utf8.prefix(count)
            case .oversized: text.utf8.prefix(0)
            default: text.utf8[...]
            }
        }
    }

    /// Every string the scope reads, in walk order.
    package static func segments(_ body: JSONValue, scope: Scope) -> [Segment] {
        var segments: [Segment] = []
        var copy = body
        walk(&copy, scope: scope) { segment in
            segments.append(segment)
            return nil
        }
        return segments
    }

    /// Replaces the strings at the given walk positions (values, or keys for `.key` segments).
    package static func replace(_ body: inout JSONValue, scope: Scope, _ replacements: [Int: String]) {
        guard !replacements.isEmpty else { return }
        var position = 0
        walk(&body, scope: scope) { _ in
            defer { position += 1 }
            return replacements[position]
        }
    }

    /// Calls `visit` with each segment in order; a non-nil result replaces it.
    private static func walk(_ body: inout JSONValue, scope: Scope, _ visit: (Segment) -> String?) {
        guard case .object(let object) = body else { return }
        var path = Path(steps: [])
        let rewritten = withoutActuallyEscaping(visit) { visit in
            var walker = Walker(scope: scope, visit: visit)
            return walker.members(object, path: &path, kept: false, topLevel: true)
        }
        if let rewritten { body = .object(rewritten) }
    }

    private struct Walker {
        let scope: Scope
        let visit: (Segment) -> String?

        /// An object's members with their keys and values transformed, or nil when none changed.
        /// At the top level, a response reads only its roots and a request skips `model`'s value.
        mutating func members(_ object: [String: JSONValue], path: inout Path, kept: Bool, topLevel: Bool) -> [String: JSONValue]? {
            var rewritten: [String: JSONValue]?
            // Keys in order, so findings (and the first blocked path) do not depend on hashing.
            let keys =
                topLevel && scope == .response
                ? ContentFields.responseRoots.filter { object[$0] != nil }
                : object.count == 1 ? Array(object.keys) : object.keys.sorted()
            for member in keys {
                if scope == .response, !topLevel, ContentFields.structure.contains(member) { continue }
                path.steps.append(.key(member))
                defer { path.steps.removeLast() }
                let memberKept =
                    topLevel
                    ? (scope == .response || ContentFields.keptRoots.contains(member))
                    : kept && !ContentFields.structure.contains(member) && !ContentFields.mediaKeys.contains(member)
                let renamed =
                    scope == .request && !member.isEmpty ? visit(Segment(path: path, text: member, reading: .key, kept: false)) : nil
                let skipValue = topLevel && scope == .request && member == "model"
                let replaced = skipValue ? nil : value(object[member]!, key: member, parent: object, path: &path, kept: memberKept)
                guard renamed != nil || replaced != nil else { continue }
                if rewritten == nil { rewritten = object }
                rewritten!.removeValue(forKey: member)
                let newKey = renamed.map { unique($0, in: rewritten!) } ?? member
                rewritten![newKey] = replaced ?? object[member]!
            }
            return rewritten
        }

        func unique(_ key: String, in object: [String: JSONValue]) -> String {
            var candidate = key
            var number = 2
            while object[candidate] != nil {
                candidate = "\(key)_\(number)"
                number += 1
            }
            return candidate
        }

        /// The value with its strings transformed, or nil when none changed.
        mutating func value(_ value: JSONValue, key: String?, parent: [String: JSONValue], path: inout Path, kept: Bool) -> JSONValue? {
            switch value {
            case .string(let text):
                guard !text.isEmpty else { return nil }
                let reading = scope == .request ? Self.reading(text, key: key, parent: parent) : .text
                return visit(Segment(path: path, text: text, reading: reading, kept: kept)).map(JSONValue.string)
            case .array(let items):
                var rewritten: [JSONValue]?
                for index in items.indices {
                    path.steps.append(.index(index))
                    defer { path.steps.removeLast() }
                    guard let replaced = self.value(items[index], key: key, parent: parent, path: &path, kept: kept) else { continue }
                    if rewritten == nil { rewritten = items }
                    rewritten![index] = replaced
                }
                return rewritten.map(JSONValue.array)
            case .object(let object):
                return members(object, path: &path, kept: kept, topLevel: false).map(JSONValue.object)
            default:
                return nil
            }
        }

        /// How a request string is read, from its key and its siblings.
        static func reading(_ text: String, key: String?, parent: [String: JSONValue]) -> Reading {
            if let header = MediaPayload.dataURLHeader(text) {
                guard MediaPayload.isText(mediaType: header.mediaType) || MediaPayload.decodesToText(text, from: header.length) else {
                    return .header(count: header.length)
                }
                return text.utf8.count - header.length > EncodedRuns.maxRun ? .oversized : .text
            }
            guard let key, ContentFields.mediaKeys.contains(key) else { return .text }
            if key == "data" {
                // Anthropic's `source: {type: base64, media_type, data}` and OpenAI's `input_audio.data`.
                let mediaType = parent["media_type"]?.stringValue ?? parent["format"].map { _ in "audio/*" }
                guard let mediaType, !MediaPayload.isText(mediaType: mediaType), !MediaPayload.decodesToText(text, from: 0) else {
                    let encoded = parent["type"]?.stringValue == "base64" || mediaType == nil
                    return encoded && text.utf8.count > EncodedRuns.maxRun ? .oversized : .text
                }
                return .header(count: 0)
            }
            return MediaPayload.isRemote(text) ? .remoteMedia : .text
        }
    }
}
