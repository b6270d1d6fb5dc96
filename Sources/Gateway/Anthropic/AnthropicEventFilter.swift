import Foundation
import Governance
import JSONWire
import LocalLLM
import NIOCore

/// The output filter over an Anthropic Messages stream passed through from a host: each content
/// block's `text_delta`, `thinking_delta` and `input_json_delta` go through a ``StreamFilter``;
/// what is held is released as one more delta of the same type just before the block's
/// `content_block_stop`.
struct AnthropicEventFilter {
    let template: StreamFilter
    /// Per content block: its filter, and the delta type and field its text comes in.
    private var filters: [Int64: (filter: StreamFilter, type: String, field: String)] = [:]

    init(_ template: StreamFilter) {
        self.template = template
    }

    /// The events to send for one host event (`name`, `data`).
    mutating func filter(name: String?, data: String, report: inout GovernanceReport, book: inout PlaceholderBook) -> FilteredEvent {
        switch name {
        case "content_block_delta":
            guard var event = try? JSONValue.parse(data), var delta = event["delta"] else {
                return .forward
            }
            let index = event["index"]?.intValue ?? 0
            let type = delta["type"]?.stringValue ?? ""
            let field: String
            switch type {
            case "text_delta": field = "text"
            case "thinking_delta": field = "thinking"
            case "input_json_delta": field = "partial_json"
            default: return .forward
            }
            guard let text = delta[field]?.stringValue else { return .forward }
            let output = filters[index, default: (template, type, field)].filter.feed(text, report: &report, book: &book)
            switch output {
            case .block(let error): return .block(error)
            case .emit(let emitted):
                if emitted.isEmpty { return .drop }
                delta[field] = .string(emitted)
                event["delta"] = delta
                return .replace(Self.event("content_block_delta", event))
            }
        case "content_block_stop":
            guard let event = try? JSONValue.parse(data), let index = event["index"]?.intValue,
                var entry = filters.removeValue(forKey: index)
            else { return .forward }
            switch entry.filter.finish(report: &report, book: &book) {
            case .block(let error): return .block(error)
            case .emit(let text) where !text.isEmpty:
                let delta: JSONValue = .object(["type": .string(entry.type), entry.field: .string(text)])
                let extra = Self.event("content_block_delta", ["type": "content_block_delta", "index": .int(index), "delta": delta])
                return .replace(extra + Self.event("content_block_stop", event))
            case .emit: return .forward
            }
        default:
            return .forward
        }
    }

    static func event(_ name: String, _ data: JSONValue) -> String {
        "event: \(name)\ndata: \(data.serializedString)\n\n"
    }
}
