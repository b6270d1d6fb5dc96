package import AsyncHTTPClient
import Foundation
package import JSONWire
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// Counts the prompt tokens of an OpenAI chat request on the host's own tokenizer, so counts
/// match what the host will bill, and never leaves the building. When the pool has no tokenizer
/// endpoint, or it fails, a conservative estimate is used that never under-counts (see
/// ``estimate(_:)``); the result says which it is.
package struct HostTokenizer: Sendable {
    package struct Count: Sendable, Equatable {
        package enum Source: String, Sendable {
            case host
            case estimate
        }

        package var tokens: Int64
        package var source: Source

        package init(tokens: Int64, source: Source) {
            self.tokens = tokens
            self.source = source
        }
    }

    let http: HTTPClient
    let timeout: Duration

    package init(http: HTTPClient, timeout: Duration = .seconds(5)) {
        self.http = http
        self.timeout = timeout
    }

    /// Where to count: the host that served the request (`hostID`, after its generation ended:
    /// no slot is needed and nothing is interrupted), else the pool's least busy healthy host,
    /// whether or not it has a free generation slot: tokenizing takes none.
    private func endpoint(pool: UpstreamPool, hostID: String?) -> (root: String, key: String?)? {
        if let hostID, let host = pool.hosts.first(where: { $0.id == hostID }) {
            return (host.configuration.rootURL, host.configuration.apiKey)
        }
        guard let host = pool.hostForQuery() else { return nil }
        return (host.configuration.rootURL, host.configuration.apiKey)
    }

    package func count(_ chat: JSONValue, pool: UpstreamPool, hostID: String? = nil) async -> Count {
        guard pool.configuration.tokenizer != .none, let (root, key) = endpoint(pool: pool, hostID: hostID) else {
            return Self.estimate(chat)
        }
        do {
            switch pool.configuration.tokenizer {
            case .llamacpp:
                var template: JSONValue = ["messages": chat["messages"] ?? []]
                if let tools = chat["tools"] { template["tools"] = tools }
                let prompt = try await post(root + "/apply-template", template, key: key)["prompt"]?.stringValue ?? ""
                let tokens = try await post(
                    root + "/tokenize",
                    ["content": .string(prompt), "add_special": true, "parse_special": true],
                    key: key
                )
                guard let list = tokens["tokens"]?.arrayValue else { return Self.estimate(chat) }
                return Count(tokens: Int64(list.count), source: .host)
            case .vllm:
                var body: JSONValue = ["model": chat["model"] ?? "", "messages": chat["messages"] ?? [], "add_generation_prompt": true]
                if let tools = chat["tools"] { body["tools"] = tools }
                guard let count = try await post(root + "/tokenize", body, key: key)["count"]?.intValue else { return Self.estimate(chat) }
                return Count(tokens: count, source: .host)
            case .llamaCppPython:
                let text = Self.chatML(chat)
                guard let count = try await post(root + "/extras/tokenize/count", ["input": .string(text)], key: key)["count"]?.intValue
                else {
                    return Self.estimate(chat)
                }
                return Count(tokens: count, source: .host)
            case .none:
                return Self.estimate(chat)
            }
        } catch {
            return Self.estimate(chat)
        }
    }

    /// Counts the tokens of generated text (no chat template, no special tokens) on the host's
    /// tokenizer: the completion tokens of a host that does not report usage.
    package func count(text: String, pool: UpstreamPool, hostID: String? = nil) async -> Count {
        let estimate = Count(tokens: Int64(text.utf8.count), source: .estimate)
        guard !text.isEmpty else { return Count(tokens: 0, source: .host) }
        guard pool.configuration.tokenizer != .none, let (root, key) = endpoint(pool: pool, hostID: hostID) else { return estimate }
        do {
            switch pool.configuration.tokenizer {
            case .llamacpp:
                let body: JSONValue = ["content": .string(text), "add_special": false, "parse_special": false]
                guard let list = try await post(root + "/tokenize", body, key: key)["tokens"]?.arrayValue else { return estimate }
                return Count(tokens: Int64(list.count), source: .host)
            case .vllm:
                let body: JSONValue = ["prompt": .string(text), "add_special_tokens": false]
                guard let count = try await post(root + "/tokenize", body, key: key)["count"]?.intValue else { return estimate }
                return Count(tokens: count, source: .host)
            case .llamaCppPython:
                guard let count = try await post(root + "/extras/tokenize/count", ["input": .string(text)], key: key)["count"]?.intValue
                else { return estimate }
                return Count(tokens: count, source: .host)
            case .none:
                return estimate
            }
        } catch {
            return estimate
        }
    }

    private func post(_ url: String, _ body: JSONValue, key: String?) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(body.serialized)
        let response = try await http.execute(request, timeout: timeout.timeAmount)
        let bytes = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else { throw HTTPClientError.invalidURL }
        return try JSONValue.parse(bytes)
    }

    /// The conservative estimate: one token per UTF-8 byte of every text the model sees, plus
    /// 8 per message for the chat template, the tools' JSON and each image URL's length. Byte-level BPE tokenizers (Llama, Qwen, Mistral,
    /// GPT) never produce more tokens than bytes, so this can over-count but never under-count.
    package static func estimate(_ chat: JSONValue) -> Count {
        let messages = chat["messages"]?.arrayValue ?? []
        var total = Int64(promptText(chat).utf8.count) + Int64(messages.count) * 8 + 8
        if let tools = chat["tools"] { total += Int64(tools.serialized.readableBytes) }
        // Images: the length of their URL (a data URL carries the whole image), far above what
        // any vision encoder produces.
        for message in messages {
            for part in message["content"]?.arrayValue ?? [] {
                total += Int64(part["image_url"]?["url"]?.stringValue?.utf8.count ?? 0)
            }
        }
        return Count(tokens: total, source: .estimate)
    }

    /// The prompt as llama-cpp-python's `chatml` and `chatml-function-calling` formats render a
    /// conversation without tools (`<|im_start|>role\ntext<|im_end|>\n` per message, then the
    /// assistant's turn): counted on the host's tokenizer it equals the host's `prompt_tokens`
    /// (tested against the real server). With tools the host adds their definitions, which
    /// this leaves out.
    static func chatML(_ chat: JSONValue) -> String {
        var prompt = ""
        for message in chat["messages"]?.arrayValue ?? [] {
            var text = EchoModel.messageText(message["content"])
            for call in message["tool_calls"]?.arrayValue ?? [] {
                text += (call["function"]?["name"]?.stringValue ?? "") + (call["function"]?["arguments"]?.stringValue ?? "")
            }
            prompt += "<|im_start|>\(message["role"]?.stringValue ?? "user")\n\(text)<|im_end|>\n"
        }
        return prompt + "<|im_start|>assistant\n"
    }

    /// Every text of the conversation, in order (for counting only).
    static func promptText(_ chat: JSONValue) -> String {
        var parts: [String] = []
        for message in chat["messages"]?.arrayValue ?? [] {
            parts.append(message["role"]?.stringValue ?? "")
            parts.append(EchoModel.messageText(message["content"]))
            for call in message["tool_calls"]?.arrayValue ?? [] {
                parts.append(call["function"]?["name"]?.stringValue ?? "")
                parts.append(call["function"]?["arguments"]?.stringValue ?? "")
            }
        }
        return parts.joined(separator: "\n")
    }
}
