import Foundation
import NIOCore
import Testing

@testable import JSONWire

/// The hand-written parser against Foundation's: the same values for valid JSON, a refusal for
/// invalid JSON, on tables and on generated documents.
@Suite struct JSONParsingTests {
    static func foundation(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test func agreesWithFoundationOnATable() throws {
        let documents = [
            #"{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9}}"#,
            #"[1, -2, 3.5, -0.25, 1e3, 2E-2, 0, -0, 9223372036854775807, 9223372036854775808, true, false, null]"#,
            #"{"s": "quote \" backslash \\ slash \/ controls \b\f\n\r\t unicode \u00e9 \u20AC pair \ud83d\ude00"}"#,
            #"  { "nested" : { "a" : [ { } , [ ] , "" ] } }  "#,
            #""just a string""#,
            #"{"utf8": "héllo wörld 日本語 🎉"}"#,
        ]
        for document in documents {
            let parsed = try JSONValue.parse(document)
            #expect(parsed == Self.foundation(document), "\(document)")
        }
    }

    /// Foundation keeps the first of two equal keys; Python's `json` and JavaScript keep the
    /// last. The gateway must scan what the client or host will use.
    @Test func aRepeatedKeyKeepsItsLastValueAsPythonAndJavaScriptDo() throws {
        #expect(try JSONValue.parse(#"{"content": "safe", "content": "the secret"}"#) == ["content": "the secret"])
    }

    @Test func refusesWhatIsNotJSON() {
        for document in [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "'x'", "01", "1.", ".5", "-", "+1", "1e", "tru", "nul", "[1 2]",
            "{\"a\" 1}", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"tab\there\"", "1 2", "[1]]", "// comment\n1",
        ] {
            #expect(throws: JSONValue.ParseError.self, "\(document)") { try JSONValue.parse(document) }
        }
    }

    @Test func aLoneSurrogateBecomesTheReplacementCharacter() throws {
        #expect(try JSONValue.parse(#""a\ud800b""#) == .string("a\u{FFFD}b"))
        #expect(try JSONValue.parse(#""\udc00""#) == .string("\u{FFFD}"))
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(deep, maxDepth: 64) }
        #expect((try? JSONValue.parse(deep, maxDepth: 128)) != nil)
    }

    /// Random documents built from random values, serialised by the gateway's own writer, read
    /// back by both parsers.
    @Test func agreesWithFoundationOnGeneratedDocuments() throws {
        var state: UInt64 = 2026
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let pieces = ["a", "é", "\"", "\\", "\n", "\u{1}", "🎉", "日", " ", "/", "\u{7F}"]
        func value(_ depth: Int) -> JSONValue {
            switch next(depth > 3 ? 4 : 6) {
            case 0: return .string((0..<next(6)).map { _ in pieces[next(pieces.count)] }.joined())
            case 1: return .int(Int64(next(2_000_000)) - 1_000_000)
            case 2: return [.bool(true), .bool(false), .null][next(3)]
            case 3: return .double(Double(next(100_000)) / 64)
            case 4: return .array((0..<next(4)).map { _ in value(depth + 1) })
            default:
                return .object(Dictionary((0..<next(4)).map { _ in ("k\(next(50))", value(depth + 1)) }, uniquingKeysWith: { a, _ in a }))
            }
        }
        for _ in 0..<500 {
            let text = value(0).serializedString
            #expect(try JSONValue.parse(text) == Self.foundation(text), "\(text)")
            #expect(try JSONValue.parse(ByteBuffer(string: text)) == Self.foundation(text))
        }
    }
}
