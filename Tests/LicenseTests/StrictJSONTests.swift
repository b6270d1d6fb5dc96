import Foundation
import Testing

@testable import License

/// License-side files are read only when they are one plain JSON value: every looseness that two
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
        ("too large", Array(#"{"a": ""#.utf8) + [UInt8](repeating: 0x61, count: 70_000) + Array(#""}"#.utf8), "larger than a license"),
    ]

    @Test(arguments: 0..<refused.count)
    func refusesWhatDecodersReadDifferently(_ index: Int) {
        let (name, bytes, expected) = Self.refused[index]
        #expect(name.isEmpty == false)
        do {
            try StrictJSON.check(Data(bytes), what: "f")
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.code == .malformed, "\(name)")
            #expect(error.message.contains(expected), "\(name): \(error.message)")
        }
    }

    @Test func acceptsPlainJSON() throws {
        try StrictJSON.check(Data(#" {"a": [1, -2.5e3, true, null, {"b": "\"x\" \u00e9"}], "c": {}} "#.utf8), what: "f")
        try StrictJSON.check(F.file(), what: "license")
    }

    typealias F = LicenseFixtures

    @Test func aLicenseEnvelopeWithADuplicateKeyIsMalformed() throws {
        let file = String(decoding: F.file(), as: UTF8.self)
        let doubled = file.replacingOccurrences(of: "\"format\"", with: "\"format\": \"x\", \"format\"")
        #expect { try F.verifier.verify(Data(doubled.utf8), at: F.now) } throws: {
            ($0 as? LicenseError)?.code == .malformed && "\($0)".contains("appears twice")
        }
    }
}
