import Testing

@testable import JSONWire

/// `JSONSpans` finds members and elements where the full parser would, and refuses what it
/// cannot read safely (so its caller falls back to the parser).
@Suite struct JSONSpansTests {
    @Test func membersAndElementsSitWhereTheParserFindsThem() throws {
        let text = #" { "a" : [1, {"b":"}]"}, "c\"]"] , "s":"x\"y\\" ,"n":-1.5e3,"t":true,"z":null,"e":{} } "#
        let spans = JSONSpans(text)
        let members = try #require(spans.rootMembers())
        let parsed = try JSONValue.parse(text)
        #expect(members.count == 6)
        for member in members {
            let key = String(decoding: spans.bytes[member.key], as: UTF8.self)
            let value = try JSONValue.parse(String(decoding: spans.bytes[member.value], as: UTF8.self))
            #expect(value == parsed[key], "\(key)")
        }
        let array = try #require(members.first { spans.key($0, is: "a") })
        let elements = try #require(spans.elements(ofArrayAt: array.value.lowerBound))
        #expect(elements.map { String(decoding: spans.bytes[$0], as: UTF8.self) } == ["1", #"{"b":"}]"}"#, #""c\"]""#])
        let string = try #require(members.first { spans.key($0, is: "s") })
        #expect(spans.string(string.value) == "x\"y\\")
        #expect(spans.isNull(try #require(members.first { spans.key($0, is: "z") }).value))
        #expect(spans.object(at: try #require(members.last).value.lowerBound)?.members.isEmpty == true)
    }

    @Test func whatItCannotReadSafelyIsNil() {
        for text in [
            #"{"a":1"#, #"{"a":[1}"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{"a":"x"} trailing"#, #"[1,2]"#, #"{"\u0061":1}"#,
            "{\"a\":\"line\nbreak\"}", #"{"a":}"#, "",
        ] {
            #expect(JSONSpans(text).rootMembers() == nil, "\(text)")
        }
    }
}
