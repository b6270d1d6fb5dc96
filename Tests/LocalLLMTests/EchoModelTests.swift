import Foundation
import JSONWire
import Testing

@testable import LocalLLM

@Suite struct EchoModelTests {
    @Test func repliesWithTheLastUserMessageExactly() {
        let request: JSONValue = [
            "messages": [
                ["role": "user", "content": "first"],
                ["role": "assistant", "content": "ok"],
                ["role": "user", "content": .array([["type": "text", "text": "  spaced\n text "]])],
            ]
        ]
        let completion = EchoModel.reply(to: request)
        #expect(completion.text == "  spaced\n text ")
        #expect(completion.pieces.joined() == completion.text)
        #expect(completion.finishReason == "stop")
    }

    @Test func honoursStopAndMaxTokens() {
        let stopped = EchoModel.reply(to: ["messages": [["role": "user", "content": "one two STOP three"]], "stop": ["STOP"]])
        #expect(stopped.text == "one two ")
        let cut = EchoModel.reply(to: ["messages": [["role": "user", "content": "one two three four"]], "max_tokens": 2])
        #expect(cut.text == "one two")
        #expect(cut.finishReason == "length")
    }

    @Test func embeddingsAreDeterministicUnitVectors() {
        let first = EchoModel.vector(for: "hello", dimensions: 32)
        #expect(first == EchoModel.vector(for: "hello", dimensions: 32))
        #expect(first != EchoModel.vector(for: "hullo", dimensions: 32))
        #expect(abs(first.reduce(0) { $0 + $1 * $1 } - 1) < 1e-9)
    }
}
