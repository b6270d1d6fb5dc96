import Foundation
import Governance
import JSONWire
import LocalLLM
import NIOCore

/// The output filter over an OpenAI chat-completion stream: each of a choice's text fields
/// (``textFields``) and each tool call's `function.arguments` go through their own
/// ``StreamFilter``; what a filter holds back is released with the choice's `finish_reason`
/// chunk (or a chunk of its own if the stream ends without one).
struct OpenAIChunkFilter {
    let template: StreamFilter
    /// The delta's text fields: the answer, the reasoning some hosts stream beside it (vLLM and
    /// llama.cpp `reasoning_content`, others `reasoning`), and a refusal. Field `i` is part −1 − i.
    static let textFields = ["content", "reasoning_content", "reasoning", "refusal"]

    /// A choice's text field (`part` < 0, see ``textFields``) or one of its tool calls (`part` =
    /// the call's index).
    private struct Part: Hashable, Comparable {
        var choice: Int64
        var part: Int64

        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.choice, lhs.part) < (rhs.choice, rhs.part) }
    }

    private var filters: [Part: StreamFilter] = [:]
    private var id: String?
    private var model: String?
    private var created: Int64?

    init(_ template: StreamFilter) {
        self.template = template
    }

    mutating func filter(_ data: String, report: inout GovernanceReport, book: inout PlaceholderBook) -> FilteredEvent {
        guard data.containsUTF8("\"choices\"") else { return .forward }
        if let event = textChunk(data, report: &report, book: &book) { return event }
        guard var chunk = try? JSONValue.parse(data),
            var choices = chunk["choices"]?.arrayValue, !choices.isEmpty
        else { return .forward }
        id = chunk["id"]?.stringValue ?? id
        model = chunk["model"]?.stringValue ?? model
        created = chunk["created"]?.intValue ?? created
        var changed = false
        for (position, choice) in choices.enumerated() {
            let index = choice["index"]?.intValue ?? Int64(position)
            var delta = choice["delta"] ?? [:]
            let finishing = choice["finish_reason"].map { !$0.isNull } ?? false
            var touched = false
            var starting: [Int64] = []
            for (position, field) in Self.textFields.enumerated() {
                guard let content = delta[field]?.stringValue else { continue }
                let part = -1 - Int64(position)
                starting.append(part)
                switch feed(Part(choice: index, part: part), content, report: &report, book: &book) {
                case .block(let error): return .block(error)
                case .emit(let text):
                    delta[field] = .string(text)
                    touched = true
                }
            }
            if var calls = delta["tool_calls"]?.arrayValue {
                for (slot, call) in calls.enumerated() {
                    let key = call["index"]?.intValue ?? Int64(slot)
                    starting.append(key)
                    guard let arguments = call["function"]?["arguments"]?.stringValue else { continue }
                    switch feed(Part(choice: index, part: key), arguments, report: &report, book: &book) {
                    case .block(let error): return .block(error)
                    case .emit(let text):
                        var function = call["function"]!
                        function["arguments"] = .string(text)
                        calls[slot]["function"] = function
                        touched = true
                    }
                }
                delta["tool_calls"] = .array(calls)
            }
            // A part that starts (text after tool calls, the next tool call) ends the ones
            // before it: their held text goes out first, so translators see parts in order.
            if !starting.isEmpty, !finishing, filters.keys.contains(where: { $0.choice == index && !starting.contains($0.part) }) {
                var earlier: JSONValue = [:]
                switch release(choice: index, into: &earlier, report: &report, book: &book, except: starting) {
                case .block(let error): return .block(error)
                case .emit(let released):
                    if released {
                        delta = Self.prepend(earlier, to: delta)
                        touched = true
                    }
                }
            }
            if finishing {
                switch release(choice: index, into: &delta, report: &report, book: &book) {
                case .block(let error): return .block(error)
                case .emit(let released): touched = touched || released
                }
            }
            if touched {
                var updated = choice
                updated["delta"] = delta
                choices[position] = updated
                changed = true
            }
        }
        guard changed else { return .forward }
        // A chunk whose only content the filter now holds says nothing: not sent at all.
        if chunk["usage"] == nil || chunk["usage"]?.isNull == true,
            choices.allSatisfy({ choice in
                guard let delta = choice["delta"]?.objectValue, !delta.isEmpty else { return false }
                return delta.allSatisfy { Self.textFields.contains($0.key) && $0.value == "" }
                    && (choice["finish_reason"]?.isNull ?? true) && choice["logprobs"] == nil
            })
        {
            return .drop
        }
        chunk["choices"] = .array(choices)
        return .replace(chunk.serializedString)
    }

    /// The common chunks of a text answer, read in place (``JSONSpans``) with no value built:
    /// one choice, no tool calls, no usage. Its text is fed to the filter and what comes out is
    /// written over the `content` value's bytes; a finishing chunk with an empty delta gets what
    /// the filter held. Nil when the chunk is anything else (the parsed paths handle it), before
    /// any state changed.
    private mutating func textChunk(_ data: String, report: inout GovernanceReport, book: inout PlaceholderBook) -> FilteredEvent? {
        let spans = JSONSpans(data)
        guard let root = spans.rootMembers() else { return nil }
        var choicesValue: Range<Int>?
        var idValue: Range<Int>?
        var modelValue: Range<Int>?
        var createdValue: Range<Int>?
        for member in root {
            if spans.key(member, is: "choices") {
                guard choicesValue == nil else { return nil }
                choicesValue = member.value
            } else if spans.key(member, is: "usage") {
                guard spans.isNull(member.value) else { return nil }
            } else if spans.key(member, is: "id") {
                idValue = member.value
            } else if spans.key(member, is: "model") {
                modelValue = member.value
            } else if spans.key(member, is: "created") {
                createdValue = member.value
            }
        }
        guard let choicesValue, let choices = spans.elements(ofArrayAt: choicesValue.lowerBound), choices.count == 1,
            let (choice, _) = spans.object(at: choices[0].lowerBound)
        else { return nil }
        var index: Int64 = 0
        var deltaValue: Range<Int>?
        var finishing = false
        var logprobs = false
        for member in choice {
            if spans.key(member, is: "index") {
                guard let value = spans.int(member.value) else { return nil }
                index = value
            } else if spans.key(member, is: "delta") {
                guard deltaValue == nil else { return nil }
                deltaValue = member.value
            } else if spans.key(member, is: "finish_reason") {
                finishing = !spans.isNull(member.value)
            } else if spans.key(member, is: "logprobs") {
                logprobs = true
            }
        }
        guard let deltaValue, let (delta, _) = spans.object(at: deltaValue.lowerBound) else { return nil }
        var contentValue: Range<Int>?
        for member in delta {
            if spans.key(member, is: "tool_calls") { return nil }
            // Another text field beside the answer (reasoning, a refusal): the parsed path
            // filters each field.
            if Self.textFields.dropFirst().contains(where: { spans.key(member, is: $0) }), !spans.isNull(member.value) {
                return nil
            }
            if spans.key(member, is: "content") {
                guard contentValue == nil else { return nil }
                contentValue = member.value
            }
        }
        let content = Part(choice: index, part: -1)
        // Another part of this choice (a tool call) still open: the general path orders them.
        guard !filters.keys.contains(where: { $0.choice == index && $0 != content }) else { return nil }
        if let idValue, let value = spans.string(idValue) { id = value }
        if let modelValue, let value = spans.string(modelValue) { model = value }
        if let createdValue, let value = spans.int(createdValue) { created = value }
        if !finishing {
            // No text (a role, a null content): nothing to scan or hold.
            guard let contentValue, spans.isString(contentValue) else { return .forward }
            guard let text = spans.string(contentValue) else { return nil }
            switch feed(content, text, report: &report, book: &book) {
            case .block(let error): return .block(error)
            case .emit(let emitted) where emitted == text: return .forward
            case .emit(let emitted) where emitted.isEmpty && delta.count == 1 && !logprobs: return .drop
            case .emit(let emitted): return .replace(Self.replacing(contentValue, in: spans, withString: emitted))
            }
        }
        guard delta.isEmpty, filters[content] != nil else { return nil }
        var released: JSONValue = [:]
        switch release(choice: index, into: &released, report: &report, book: &book) {
        case .block(let error): return .block(error)
        case .emit(false): return .forward
        case .emit(true):
            var member = ByteBuffer(string: #"{"content":"#)
            JSONValue.writeString(released["content"]?.stringValue ?? "", to: &member)
            member.writeStaticString("}")
            return .replace(Self.replacing(deltaValue, in: spans, with: Array(buffer: member)))
        }
    }

    /// The document with the value at `range` replaced by `string` as a JSON string.
    private static func replacing(_ range: Range<Int>, in spans: JSONSpans, withString string: String) -> String {
        var value = ByteBuffer()
        JSONValue.writeString(string, to: &value)
        return replacing(range, in: spans, with: Array(buffer: value))
    }

    private static func replacing(_ range: Range<Int>, in spans: JSONSpans, with value: [UInt8]) -> String {
        var bytes = spans.bytes
        bytes.replaceSubrange(range, with: value)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A chunk with whatever is still held (the stream ended without a `finish_reason`), or nil.
    mutating func flush(report: inout GovernanceReport, book: inout PlaceholderBook) -> FilteredEvent? {
        let indices = Set(filters.keys.map(\.choice)).sorted()
        var choices: [JSONValue] = []
        for index in indices {
            var delta: JSONValue = [:]
            switch release(choice: index, into: &delta, report: &report, book: &book) {
            case .block(let error): return .block(error)
            case .emit(let released):
                if released { choices.append(["index": .int(index), "delta": delta, "finish_reason": .null]) }
            }
        }
        guard !choices.isEmpty else { return nil }
        let chunk: JSONValue = [
            "id": .string(id ?? "chatcmpl-tappass"), "object": "chat.completion.chunk", "created": .int(created ?? 0),
            "model": .string(model ?? ""), "choices": .array(choices),
        ]
        return .replace(chunk.serializedString)
    }

    private mutating func feed(
        _ key: Part,
        _ text: String,
        report: inout GovernanceReport,
        book: inout PlaceholderBook
    ) -> StreamFilter.Output {
        // Fed in place: a copy taken out of the dictionary would copy the held bytes on append.
        filters[key, default: template].feed(text, report: &report, book: &book)
    }

    /// `earlier`'s content and tool-call pieces, then `delta`'s.
    static func prepend(_ earlier: JSONValue, to delta: JSONValue) -> JSONValue {
        var merged = delta
        for field in textFields {
            guard let text = earlier[field]?.stringValue else { continue }
            merged[field] = .string(text + (delta[field]?.stringValue ?? ""))
        }
        if let calls = earlier["tool_calls"]?.arrayValue {
            merged["tool_calls"] = .array(calls + (delta["tool_calls"]?.arrayValue ?? []))
        }
        return merged
    }

    private enum Release {
        case emit(Bool)
        case block(PolicyBlock)
    }

    /// Appends what a choice's filters hold to `delta`; whether anything was added.
    private mutating func release(
        choice: Int64,
        into delta: inout JSONValue,
        report: inout GovernanceReport,
        book: inout PlaceholderBook,
        except kept: [Int64] = []
    ) -> Release {
        var added = false
        for key in filters.keys.filter({ $0.choice == choice && !kept.contains($0.part) }).sorted() {
            var filter = filters.removeValue(forKey: key)!
            switch filter.finish(report: &report, book: &book) {
            case .block(let error): return .block(error)
            case .emit(let text) where !text.isEmpty:
                added = true
                if key.part < 0 {
                    let field = Self.textFields[Int(-1 - key.part)]
                    delta[field] = .string((delta[field]?.stringValue ?? "") + text)
                } else {
                    var calls = delta["tool_calls"]?.arrayValue ?? []
                    if let slot = calls.firstIndex(where: { $0["index"]?.intValue == key.part }) {
                        var function = calls[slot]["function"] ?? [:]
                        function["arguments"] = .string((function["arguments"]?.stringValue ?? "") + text)
                        calls[slot]["function"] = function
                    } else {
                        calls.append(["index": .int(key.part), "function": ["arguments": .string(text)]])
                    }
                    delta["tool_calls"] = .array(calls)
                }
            case .emit: break
            }
        }
        return .emit(added)
    }
}
