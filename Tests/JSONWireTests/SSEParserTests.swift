import NIOCore
import Testing

@testable import JSONWire

@Suite struct SSEParserTests {
    static let stream = "data: {\"a\":1}\n\n: keep-alive\n\nevent: ping\ndata: {}\n\ndata: line1\ndata: line2\r\n\r\ndata: [DONE]\n\n"

    func parse(_ chunks: [String]) throws -> [SSEParser.Event] {
        var parser = SSEParser()
        var events: [SSEParser.Event] = []
        for chunk in chunks { events += try parser.feed(ByteBuffer(string: chunk)) }
        if let tail = parser.finish() { events.append(tail) }
        return events
    }

    @Test func parsesFieldsCommentsAndLineEndings() throws {
        let events = try parse([Self.stream])
        #expect(events.map(\.data) == ["{\"a\":1}", nil, "{}", "line1\nline2", "[DONE]"])
        #expect(events[1].isComment)
        #expect(events[2].name == "ping")
        #expect(events.map { String(buffer: $0.raw) }.joined() == Self.stream)
    }

    @Test func everySplitGivesTheSameEvents() throws {
        let expected = try parse([Self.stream])
        let bytes = Array(Self.stream.utf8)
        for first in 0...bytes.count {
            for second in stride(from: first, through: bytes.count, by: 7) {
                let chunks = [bytes[0..<first], bytes[first..<second], bytes[second...]].map { String(decoding: $0, as: UTF8.self) }
                #expect(try parse(chunks) == expected, "split at \(first), \(second)")
            }
        }
    }

    @Test func byteByByteGivesTheSameEvents() throws {
        let expected = try parse([Self.stream])
        #expect(try parse(Self.stream.map { String($0) }) == expected)
    }

    @Test func carriageReturnOnlyLineEnds() throws {
        let events = try parse(["data: x\r\rdata: y\r\r"])
        #expect(events.map(\.data) == ["x", "y"])
    }

    @Test func unterminatedTailIsReturnedAtFinish() throws {
        let events = try parse(["data: a\n\ndata: partial"])
        #expect(events.map(\.data) == ["a", "partial"])
    }

    @Test func oversizedEventIsRefused() {
        var parser = SSEParser(maxEventBytes: 16)
        #expect(throws: SSEParser.EventTooLarge.self) {
            _ = try parser.feed(ByteBuffer(string: "data: " + String(repeating: "x", count: 64)))
        }
    }
}
