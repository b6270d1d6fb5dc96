import Foundation
import Testing

@testable import JSONWire

/// What the serialiser writes reads back the same with Foundation's parser: strings too,
/// whichever byte needs escaping and wherever it falls against the 16-byte blocks the escape
/// search reads.
@Suite struct JSONSerializationTests {
    @Test func everyByteThatNeedsEscapingRoundTripsAtEveryOffset() throws {
        let specials: [String] = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + ["\"", "\\", "/", "é", "✓", "😀", "\u{7F}"]
        for special in specials {
            for offset in [0, 1, 14, 15, 16, 17, 31, 32, 33] {
                let text = String(repeating: "a", count: offset) + special + String(repeating: "b", count: 40 - offset)
                let written = JSONValue.string(text).serializedString
                let read = try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed) as? String
                #expect(read == text, "\(special.unicodeScalars.map { $0.value }) at \(offset)")
                // Only what must be escaped is: plain text is copied as it is.
                if special.unicodeScalars.first!.value >= 0x20, special != "\"", special != "\\" {
                    #expect(written == "\"\(text)\"")
                }
            }
        }
        #expect(JSONValue.string("").serializedString == #""""#)
        #expect(JSONValue.string("a\"b\\c\n\u{01}").serializedString == #""a\"b\\c\n\u0001""#)
    }

    @Test(arguments: [
        JSONValue.string("plain"), "quote \" backslash \\ newline \n tab \t bell \u{07} ünï 🚀", 0, -42, .double(1.5), .double(1e-7),
        true, false, .null, [1, "two", [3]], ["a": ["b": [true, .null]], "": ""],
    ])
    func roundTripsThroughFoundation(value: JSONValue) throws {
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(value.serializedString.utf8))
        #expect(decoded == value)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(JSONValue.double(.infinity).serializedString == "null")
        #expect(JSONValue.double(.nan).serializedString == "null")
    }
}
