import Foundation
import Testing

@testable import Gateway
@testable import LocalLLM

/// The OpenAI chunk filter's output: a chunk that only changes its content keeps every other
/// byte as the host sent it; anything it cannot rewrite in place is serialised again.
@Suite struct ChunkFilterTests {
    static let chunk =
        #"{"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"m","system_fingerprint":"fp_x","#
        + #""choices":[{"index":0,"delta":{"content":"ORIGINAL"},"logprobs":null,"finish_reason":null}],"x_host":{"a":[1,2.50,"\"content\":\"ORIGINAL\""]}}"#

    @Test func aContentOnlyChangeIsSplicedInPlace() throws {
        let spliced = try #require(OpenAIChunkFilter.splice(Self.chunk, content: "ORIGINAL", with: "new \"text\"\n"))
        #expect(spliced == Self.chunk.replacingOccurrences(of: #"{"content":"ORIGINAL"}"#, with: #"{"content":"new \"text\"\n"}"#))
        let parsed = try JSONValue.parse(spliced)
        #expect(parsed["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue == "new \"text\"\n")
        // The escaped look-alike inside another string is left alone, and so is `2.50`.
        #expect(spliced.contains(#""a":[1,2.50,"\"content\":\"ORIGINAL\""]"#))
    }

    @Test func anAmbiguousOrDifferentlyWrittenMemberIsNotSpliced() {
        let twice = Self.chunk.replacingOccurrences(of: #""x_host":{"#, with: #""x_host":{"content":"ORIGINAL","#)
        #expect(OpenAIChunkFilter.splice(twice, content: "ORIGINAL", with: "x") == nil)
        let spaced = Self.chunk.replacingOccurrences(of: #""content":"ORIGINAL""#, with: #""content": "ORIGINAL""#)
        #expect(OpenAIChunkFilter.splice(spaced, content: "ORIGINAL", with: "x") == nil)
    }

    @Test func theFilterRedactsThroughEitherPath() throws {
        let inspector = StreamFilterTests.inspector
        let secret = StreamFilterTests.secret
        for spacing in ["", " "] {
            var filter = OpenAIChunkFilter(StreamFilter(inspector: inspector, window: 32))
            var report = GovernanceReport()
            var book = PlaceholderBook()
            var sent = ""
            let pieces = ["Here is the token ", secret, " and some more words to push it out.", nil]
            for piece in pieces {
                // The last chunk finishes with an empty delta: what is held goes out in it.
                let delta = piece.map { #"{"content":"# + spacing + JSONValue.string($0).serializedString + "}" } ?? "{" + spacing + "}"
                let data =
                    #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":"# + delta
                    + #","finish_reason":"# + (piece == nil ? #""stop""# : "null") + "}]}"
                switch filter.filter(data, report: &report, book: &book) {
                case .replace(let out):
                    sent += try JSONValue.parse(out)["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue ?? ""
                case .forward: sent += piece ?? ""
                case .drop: break
                case .block(let error): Issue.record("blocked: \(error)")
                }
            }
            #expect(sent == "Here is the token [REDACTED:github_token_1] and some more words to push it out.", "spacing '\(spacing)'")
        }
    }
}
