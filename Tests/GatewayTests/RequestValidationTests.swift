import JSONWire
import LocalLLM
import NIOCore
import Testing

@testable import Gateway

@Suite struct RequestValidationTests {
    static let valid: JSONValue = ["model": "m", "messages": [["role": "user", "content": "hi"]]]

    @Test func acceptsAMinimalRequest() throws {
        let (model, streaming) = try OpenAIRequestValidation.chat(Self.valid, maxChoices: 8)
        #expect(model == "m" && !streaming)
        var eight = Self.valid
        eight["n"] = 8
        #expect(throws: Never.self) { try OpenAIRequestValidation.chat(eight, maxChoices: 8) }
    }

    @Test(arguments: [
        ("model", JSONValue.null, "model"),
        ("model", JSONValue.int(3), "model"),
        ("messages", JSONValue.array([]), "messages"),
        ("messages", JSONValue.string("hi"), "messages"),
        ("messages", JSONValue.array([["content": "no role"]]), "messages[0].role"),
        ("messages", JSONValue.array([["role": "wizard", "content": "x"]]), "messages[0].role"),
        ("messages", JSONValue.array([["role": "user", "content": 5]]), "messages[0].content"),
        ("stream", JSONValue.string("yes"), "stream"),
        ("n", JSONValue.int(0), "n"),
        ("n", JSONValue.int(9), "n"),
        ("n", JSONValue.int(1_000_000), "n"),
        ("max_tokens", JSONValue.double(1.5), "max_tokens"),
        ("temperature", JSONValue.int(3), "temperature"),
        ("tools", JSONValue.string("all"), "tools"),
    ])
    func refusesWithTheFieldNamed(key: String, value: JSONValue, param: String) {
        var body = Self.valid
        body[key] = value
        #expect(throws: GatewayError.self) { try OpenAIRequestValidation.chat(body, maxChoices: 8) }
        do { _ = try OpenAIRequestValidation.chat(body, maxChoices: 8) } catch { #expect(error.param == param) }
    }

    @Test func embeddingsNeedInput() {
        #expect(throws: GatewayError.self) { try OpenAIRequestValidation.embeddings(["model": "m"]) }
        #expect(throws: GatewayError.self) { try OpenAIRequestValidation.embeddings(["model": "m", "input": []]) }
        #expect((try? OpenAIRequestValidation.embeddings(["model": "m", "input": "text"])) == "m")
    }

    @Test(arguments: [
        ("[[[]]]", 3, false), ("[[[[]]]]", 3, true), (#"{"a": "[[[[[[[["}"#, 2, false),
        (#"{"a": "\"[[[["}"#, 1, false), (#"{"a":{"b":{"c":1}}}"#, 2, true),
    ])
    func depthLimit(json: String, max: Int, exceeds: Bool) {
        #expect(JSONDepthLimit.exceeds(ByteBuffer(string: json), maxDepth: max) == exceeds)
    }
}
