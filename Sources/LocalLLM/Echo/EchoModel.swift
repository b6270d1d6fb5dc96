import Foundation
package import JSONWire
import NIOCore
import Synchronization

/// The built-in `echo` model: deterministic, no inference host needed. It answers with the last
/// user message exactly as it reached the model, so a user sees what governance changed, and
/// streams it word by word with a small delay, like a real model would.
package struct EchoModel: Sendable {
    package static let modelID = "echo"
    package let wordDelay: Duration

    package init(wordDelay: Duration = .milliseconds(20)) {
        self.wordDelay = wordDelay
    }

    /// Answers an OpenAI chat-completions request body as an OpenAI-compatible host would.
    package func chatCompletion(_ request: JSONValue) -> UpstreamReply {
        let completion = Self.reply(to: request)
        let id = "chatcmpl-echo-\(Self.stableID(completion.text))"
        let created = Int64(Date().timeIntervalSince1970)
        let choices = max(1, Int(request["n"]?.intValue ?? 1))
        if request["stream"]?.boolValue == true {
            @Sendable func chunk(_ delta: JSONValue, finish: String?) -> JSONValue {
                .object([
                    "id": .string(id), "object": "chat.completion.chunk", "created": .int(created),
                    "model": .string(Self.modelID),
                    "choices": .array(
                        (0..<choices).map { index in
                            ["index": .int(Int64(index)), "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]
                        }
                    ),
                ])
            }
            // Frames are made one at a time as the stream is read: a long prompt echoed back is
            // many small chunks, and holding them all at once would cost far more than the text.
            let pieces = completion.pieces
            var usage: JSONValue?
            if request["stream_options"]?["include_usage"]?.boolValue == true {
                var final = chunk([:], finish: nil)
                final["choices"] = .array([])
                final["usage"] = completion.usage
                usage = final
            }
            let finishReason = completion.finishReason
            let trailer: [JSONValue?] = [chunk([:], finish: finishReason)] + (usage.map { [$0] } ?? []) + [nil]
            let first = chunk(["role": "assistant", "content": ""], finish: nil)
            let cursor = Atomic<Int>(0)
            let delay = wordDelay
            let stream = AsyncThrowingStream<ByteBuffer, any Error> {
                let index = cursor.add(1, ordering: .relaxed).oldValue
                let payload: JSONValue?
                switch index {
                case 0: payload = first
                case 1...pieces.count:
                    if delay > .zero { try await Task.sleep(for: delay) }
                    payload = chunk(["content": .string(pieces[index - 1])], finish: nil)
                case pieces.count + 1..<pieces.count + 1 + trailer.count: payload = trailer[index - pieces.count - 1]
                default: return nil
                }
                return ByteBuffer(string: "data: \(payload.map(Self.encode) ?? "[DONE]")\n\n")
            }
            return UpstreamReply(status: 200, contentType: "text/event-stream", body: .stream(stream), hostID: Self.modelID, lease: nil)
        }
        let body: JSONValue = [
            "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(Self.modelID),
            "choices": .array(
                (0..<choices).map { index in
                    [
                        "index": .int(Int64(index)),
                        "message": ["role": "assistant", "content": .string(completion.text)],
                        "finish_reason": .string(completion.finishReason),
                    ]
                }
            ),
            "usage": completion.usage,
        ]
        return UpstreamReply(
            status: 200,
            contentType: "application/json",
            body: .buffer(ByteBuffer(string: Self.encode(body))),
            hostID: Self.modelID,
            lease: nil
        )
    }

    /// Answers an OpenAI embeddings request with deterministic unit vectors derived from the text.
    package func embeddings(_ request: JSONValue, dimensions: Int = 32) -> UpstreamReply {
        let inputs: [String] =
            switch request["input"] {
            case .string(let text): [text]
            case .array(let items): items.map { $0.stringValue ?? Self.encode($0) }
            default: []
            }
        let data: [JSONValue] = inputs.enumerated().map { index, text in
            [
                "object": "embedding", "index": .int(Int64(index)),
                "embedding": .array(Self.vector(for: text, dimensions: dimensions).map(JSONValue.double)),
            ]
        }
        let tokens = Int64(inputs.reduce(0) { $0 + Self.tokenEstimate($1) })
        let body: JSONValue = [
            "object": "list", "data": .array(data), "model": .string(Self.modelID),
            "usage": ["prompt_tokens": .int(tokens), "total_tokens": .int(tokens)],
        ]
        return UpstreamReply(
            status: 200,
            contentType: "application/json",
            body: .buffer(ByteBuffer(string: Self.encode(body))),
            hostID: Self.modelID,
            lease: nil
        )
    }

    struct Completion {
        var text: String
        var pieces: [String]
        var finishReason: String
        var usage: JSONValue
    }

    /// The deterministic answer: the last user message's text, cut by `stop` and `max_tokens`.
    static func reply(to request: JSONValue) -> Completion {
        let messages = request["messages"]?.arrayValue ?? []
        let lastUser = messages.last { $0["role"]?.stringValue == "user" }
        var text = lastUser.map { messageText($0["content"]) } ?? ""
        var finish = "stop"
        let stops: [String] =
            switch request["stop"] {
            case .string(let stop): [stop]
            case .array(let items): items.compactMap(\.stringValue)
            default: []
            }
        for stop in stops where !stop.isEmpty {
            if let range = text.range(of: stop) { text = String(text[..<range.lowerBound]) }
        }
        var pieces = words(text)
        let limit = request["max_completion_tokens"]?.intValue ?? request["max_tokens"]?.intValue
        if let limit, limit >= 0, pieces.count > Int(limit) {
            pieces = Array(pieces.prefix(Int(limit)))
            text = pieces.joined()
            finish = "length"
        }
        let prompt = Int(promptTokens(request))
        let usage: JSONValue = [
            "prompt_tokens": .int(Int64(prompt)), "completion_tokens": .int(Int64(pieces.count)),
            "total_tokens": .int(Int64(prompt + pieces.count)),
        ]
        return Completion(text: text, pieces: pieces, finishReason: finish, usage: usage)
    }

    /// The echo model's own prompt-token count (its "tokenizer"): what its usage reports.
    package static func promptTokens(_ request: JSONValue) -> Int64 {
        Int64((request["messages"]?.arrayValue ?? []).reduce(0) { $0 + tokenEstimate(messageText($1["content"])) + 3 })
    }

    /// The text of a message's `content`: a string, or the text parts of an array.
    package static func messageText(_ content: JSONValue?) -> String {
        switch content {
        case .string(let text): text
        case .array(let parts):
            parts.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n")
        default: ""
        }
    }

    /// Splits text into words that keep their leading whitespace, so joining them restores it.
    static func words(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var inWord = false
        for character in text {
            if character.isWhitespace {
                if inWord {
                    pieces.append(current)
                    current = ""
                    inWord = false
                }
                current.append(character)
            } else {
                inWord = true
                current.append(character)
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    static func tokenEstimate(_ text: String) -> Int { max(1, (text.utf8.count + 3) / 4) }

    static func vector(for text: String, dimensions: Int) -> [Double] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var values: [Double] = []
        for _ in 0..<dimensions {
            state = state &+ 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            z ^= z >> 31
            values.append(Double(z >> 11) / Double(1 << 53) * 2 - 1)
        }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return values.map { $0 / norm }
    }

    static func stableID(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    static func encode(_ value: JSONValue) -> String {
        value.serializedString
    }
}
