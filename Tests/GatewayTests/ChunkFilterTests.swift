import Detection
import Foundation
import Governance
import JSONWire
import TestFixtures
import Testing
import TextViews

@testable import Gateway
@testable import LocalLLM

/// The OpenAI chunk filter's output: a text chunk gets its `content` value rewritten in place,
/// every other byte as the host sent it; anything else (usage beside the text, tool calls, a
/// key written with escapes) goes through the parsed path and is serialised again.
@Suite struct ChunkFilterTests {
    static let secret = "ghp_" + SeededText.random(36)
    static let inspector = ContentInspector(
        detectors: .standard,
        policy: DefaultPolicy.policy.effective(key: "k", team: "t"),
        policyVersion: "default"
    )

    static func chunk(content: String, spacing: String = "") -> String {
        #"{"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"m","system_fingerprint":"fp_x","#
            + #""choices":[{"index":0,"delta":{"content":"# + spacing + JSONValue.string(content).serializedString
            + #"},"logprobs":null,"finish_reason":null}],"x_host":{"a":[1,2.50,"\"content\":\"ORIGINAL\""]}}"#
    }

    /// A filter whose window is already full, so a chunk's text goes out at once.
    static func primedFilter() -> (OpenAIChunkFilter, GovernanceReport, PlaceholderBook) {
        var filter = OpenAIChunkFilter(StreamFilter(inspector: Self.inspector, window: 4))
        var report = GovernanceReport()
        var book = PlaceholderBook()
        _ = filter.filter(chunk(content: "Warming up the window. "), report: &report, book: &book)
        return (filter, report, book)
    }

    @Test func aTextChunkIsRewrittenInPlace() throws {
        for spacing in ["", " ", "\n  "] {
            var (filter, report, book) = Self.primedFilter()
            let data = Self.chunk(content: "token \(Self.secret) \"quoted\"\n. ", spacing: spacing)
            guard case .replace(let out) = filter.filter(data, report: &report, book: &book) else {
                Issue.record("not rewritten (spacing '\(spacing)')")
                continue
            }
            let content = try #require(JSONValue.parse(out)["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue)
            // The end of the warm-up text the filter held, then this chunk's text but its last
            // four bytes (the window).
            #expect(content == "ow. token [REDACTED:github_token_1] \"quoted")
            #expect(!content.contains(Self.secret))
            // Everything but the content value is the host's bytes: the look-alike inside
            // another string is untouched, and so is `2.50`.
            let rewritten = out.replacingOccurrences(of: JSONValue.string(content).serializedString, with: "CONTENT")
            #expect(rewritten == Self.chunk(content: "HERE", spacing: spacing).replacingOccurrences(of: #""HERE""#, with: "CONTENT"))
        }
    }

    @Test func chunksOutsideTheTextShapeAreStillFiltered() throws {
        let shapes: [(String, (String) -> String)] = [
            ("usage beside the text", { $0.replacingOccurrences(of: #""x_host""#, with: #""usage":{"prompt_tokens":1},"x_host""#) }),
            ("a key written with escapes", { $0.replacingOccurrences(of: #"{"content":"#, with: #"{"cont\u0065nt":"#) }),
            ("the content key twice", { $0.replacingOccurrences(of: #"{"content":"#, with: #"{"content":"x","content":"#) }),
        ]
        for (name, reshape) in shapes {
            var (filter, report, book) = Self.primedFilter()
            let data = reshape(Self.chunk(content: "token \(Self.secret) here. "))
            guard case .replace(let out) = filter.filter(data, report: &report, book: &book) else {
                Issue.record("\(name): not rewritten")
                continue
            }
            #expect(!out.contains(Self.secret), "\(name)")
            #expect(out.contains("[REDACTED:github_token_1]"), "\(name)")
        }
    }

    @Test func theFilterRedactsThroughEitherPath() throws {
        let inspector = Self.inspector
        let secret = Self.secret
        // In place (text chunks), then parsed (usage in every chunk, as some hosts send it).
        for usage in ["", #","usage":{"prompt_tokens":3,"completion_tokens":1}"#] {
            var filter = OpenAIChunkFilter(StreamFilter(inspector: inspector, window: 32))
            var report = GovernanceReport()
            var book = PlaceholderBook()
            var sent = ""
            let pieces = ["Here is the token ", secret, " and some more words to push it out.", nil]
            for piece in pieces {
                // The last chunk finishes with an empty delta: what is held goes out in it.
                let delta = piece.map { #"{"content":"# + JSONValue.string($0).serializedString + "}" } ?? "{}"
                let data =
                    #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":"# + delta
                    + #","finish_reason":"# + (piece == nil ? #""stop""# : "null") + "}]" + usage + "}"
                switch filter.filter(data, report: &report, book: &book) {
                case .replace(let out):
                    sent += try JSONValue.parse(out)["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue ?? ""
                case .forward: sent += piece ?? ""
                case .drop: break
                case .block(let error): Issue.record("blocked: \(error)")
                }
            }
            #expect(sent == "Here is the token [REDACTED:github_token_1] and some more words to push it out.", "usage '\(usage)'")
        }
    }

    /// Reasoning streamed beside the answer (`reasoning_content`, as vLLM and llama.cpp send
    /// it) is filtered like the answer, and its held text goes out before the answer starts.
    @Test func reasoningIsFilteredAndReleasedBeforeTheAnswer() throws {
        var filter = OpenAIChunkFilter(StreamFilter(inspector: Self.inspector, window: 32))
        var report = GovernanceReport()
        var book = PlaceholderBook()
        func chunk(_ delta: String, finishing: Bool = false) -> String {
            #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":"# + delta
                + #","finish_reason":"# + (finishing ? #""stop""# : "null") + "}]}"
        }
        let reasoning = ["The user pasted ", Self.secret, " which I must not repeat."]
        let answer = ["Here is ", "the answer."]
        let events =
            reasoning.map { chunk(#"{"reasoning_content":"# + JSONValue.string($0).serializedString + "}") }
            + answer.map { chunk(#"{"content":"# + JSONValue.string($0).serializedString + "}") } + [chunk("{}", finishing: true)]
        var sent: [(field: String, text: String)] = []
        for data in events {
            var out = data
            switch filter.filter(data, report: &report, book: &book) {
            case .replace(let replaced): out = replaced
            case .forward: break
            case .drop: continue
            case .block(let error): Issue.record("blocked: \(error)")
            }
            let delta = try #require(JSONValue.parse(out)["choices"]?.arrayValue?.first?["delta"])
            for field in ["reasoning_content", "content"] {
                if let text = delta[field]?.stringValue, !text.isEmpty { sent.append((field, text)) }
            }
        }
        let thought = sent.filter { $0.field == "reasoning_content" }.map(\.text).joined()
        #expect(thought == "The user pasted [REDACTED:github_token_1] which I must not repeat.")
        #expect(sent.filter { $0.field == "content" }.map(\.text).joined() == "Here is the answer.")
        let firstAnswer = try #require(sent.firstIndex { $0.field == "content" })
        #expect(!sent[firstAnswer...].contains { $0.field == "reasoning_content" })
        #expect(report.entries.contains { $0.type == "github_token" && $0.direction == "response" })
    }

    /// Anthropic thinking deltas are filtered like text deltas; what is held goes out as one
    /// more thinking delta before the block stops.
    @Test func anthropicThinkingIsFiltered() throws {
        var filter = AnthropicEventFilter(StreamFilter(inspector: Self.inspector, window: 32))
        var report = GovernanceReport()
        var book = PlaceholderBook()
        var thinking = ""
        let pieces = ["I see the token ", Self.secret, " in the prompt."]
        var events: [(String, JSONValue)] = pieces.map {
            let delta: JSONValue = ["type": "thinking_delta", "thinking": .string($0)]
            return ("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": delta])
        }
        events.append(("content_block_stop", ["type": "content_block_stop", "index": 0]))
        for (name, event) in events {
            let data = event.serializedString
            var out = "event: \(name)\ndata: \(data)\n\n"
            switch filter.filter(name: name, data: data, report: &report, book: &book) {
            case .replace(let replaced): out = replaced
            case .forward: break
            case .drop: continue
            case .block(let error): Issue.record("blocked: \(error)")
            }
            for line in out.split(separator: "\n") where line.hasPrefix("data: ") {
                let parsed = try JSONValue.parse(String(line.dropFirst(6)))
                if parsed["delta"]?["type"] == "thinking_delta" { thinking += parsed["delta"]?["thinking"]?.stringValue ?? "" }
            }
        }
        #expect(thinking == "I see the token [REDACTED:github_token_1] in the prompt.")
    }

    /// Tool-call arguments are streamed as JSON text: a disguised key (zero-width characters
    /// written as JSON escapes) cut over several argument deltas is redacted whole.
    @Test func aDisguisedKeySplitOverToolCallDeltasIsRedacted() throws {
        let key = "AKIA" + SeededText.random(16, SeededText.base32Upper, seed: 11)
        let arguments = #"{"note": "deploy with "# + SeededText.interleaved(key, "\\u200b") + #" today, thanks"}"#
        let characters = Array(arguments)
        var filter = OpenAIChunkFilter(StreamFilter(inspector: Self.inspector, window: 8))
        var report = GovernanceReport()
        var book = PlaceholderBook()
        var sent = ""
        var index = 0
        func collect(_ event: FilteredEvent, _ original: String) throws {
            let data: String
            switch event {
            case .forward: data = original
            case .replace(let text): data = text
            case .drop: return
            case .block: throw GatewayError(.policyBlocked, "unexpected block")
            }
            let calls = try JSONValue.parse(data)["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue ?? []
            for call in calls { sent += call["function"]?["arguments"]?.stringValue ?? "" }
        }
        while index < characters.count {
            let piece = String(characters[index..<min(index + 5, characters.count)])
            index += 5
            let delta: JSONValue = ["tool_calls": [["index": 0, "function": ["arguments": .string(piece)]]]]
            let chunk = JSONValue.object(["id": "c", "choices": [["index": 0, "delta": delta, "finish_reason": .null]]]).serializedString
            try collect(filter.filter(chunk, report: &report, book: &book), chunk)
            #expect(!NormalizedText(sent).text.contains("AKIA"), "\(sent)")
        }
        let last = JSONValue.object(["id": "c", "choices": [["index": 0, "delta": [:], "finish_reason": "tool_calls"]]]).serializedString
        try collect(filter.filter(last, report: &report, book: &book), last)
        #expect(sent == #"{"note": "deploy with [REDACTED:aws_access_key_id_1] today, thanks"}"#)
    }
}
