import Foundation
import Testing

@testable import StrictJSON

/// Signed files are read only when they are one plain JSON value: every looseness that two
/// decoders read differently is refused, naming what is wrong.
@Suite struct StrictJSONTests {
    static let refused: [(String, [UInt8], String)] = [
        ("duplicate key", Array(#"{"seats": 5, "seats": 500}"#.utf8), "appears twice"),
        ("duplicate key, nested", Array(#"{"a": {"k": 1, "k": 2}}"#.utf8), "appears twice"),
        ("duplicate key written with an escape", Array(#"{"seats": 5, "\u0073eats": 500}"#.utf8), "appears twice"),
        ("byte-order mark", [0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8), "byte-order mark"),
        ("UTF-16", [0xFF, 0xFE] + Array(#"{"a": 1}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), "not UTF-8"),
        ("NUL byte", Array(#"{"a": "x"#.utf8) + [0] + Array(#""}"#.utf8), "not UTF-8"),
        ("trailing bytes", Array(#"{"a": 1} {"a": 2}"#.utf8), "after the JSON value"),
        ("not JSON", Array("seats=500".utf8), "expected a value"),
        ("unterminated", Array(#"{"a": [1, 2"#.utf8), "expected"),
        ("too large", Array(#"{"a": ""#.utf8) + [UInt8](repeating: 0x61, count: 70_000) + Array(#""}"#.utf8), "larger than such a file"),
    ]

    @Test(arguments: 0..<refused.count)
    func refusesWhatDecodersReadDifferently(_ index: Int) {
        let (name, bytes, expected) = Self.refused[index]
        #expect(name.isEmpty == false)
        do {
            try StrictJSON.check(Data(bytes), maxBytes: 64 << 10, what: "f")
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.description.hasPrefix("f: "), "\(name): names the file")
            #expect(error.description.contains(expected), "\(name): \(error.description)")
        }
    }

    @Test func acceptsPlainJSON() throws {
        try StrictJSON.check(Data(#" {"a": [1, -2.5e3, true, null, {"b": "\"x\" \u00e9"}], "c": {}} "#.utf8), maxBytes: 1024, what: "f")
    }
}
