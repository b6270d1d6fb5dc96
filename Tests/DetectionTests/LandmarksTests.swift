import Testing

@testable import Detection

/// The landmark pass (C: AVX2, SSE2 and scalar code) against a byte-at-a-time definition in
/// Swift, on texts of every length around the 16-, 32- and 64-byte block edges.
@Suite struct LandmarksTests {
    /// What each landmark list means, one byte at a time.
    static func reference(_ bytes: [UInt8]) -> [[Int]] {
        let prefixFirst = Set(SecretDetector.landmarkPrefixBytes)
        func isWord(_ byte: UInt8) -> Bool { TextScanner.isAlnum(byte) || byte == 0x5F }
        var lists = [[Int]](repeating: [], count: 7)
        for (index, byte) in bytes.enumerated() {
            let previous: UInt8 = index > 0 ? bytes[index - 1] : 0
            let wordStart = isWord(byte) && !isWord(previous)
            if wordStart && prefixFirst.contains(byte) { lists[0].append(index) }
            if wordStart && TextScanner.isUpper(byte) { lists[1].append(index) }
            if TextScanner.isDigit(byte) || byte == 0x2B || byte == 0x28, !isWord(previous), previous != 0x2B { lists[2].append(index) }
            if byte == 0x40 { lists[3].append(index) }
            if byte == 0x3A { lists[4].append(index) }
            if byte == 0x2E { lists[5].append(index) }
            if byte == 0x3A || byte == 0x3D { lists[6].append(index) }
        }
        return lists
    }

    static func lists(_ landmarks: Landmarks) -> [[Int]] {
        [
            Array(landmarks.prefixStarts), Array(landmarks.capitals), Array(landmarks.numberStarts), Array(landmarks.ats),
            Array(landmarks.colons), Array(landmarks.dots), Array(landmarks.operators),
        ]
    }

    @Test func everyInstructionSetMatchesTheDefinition() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09_+(@:.=gh xAKIA-sk=\u{e9}\n".utf8)
        for length in Array(0...200) + [1000, 4099] {
            for _ in 0..<5 {
                let bytes = (0..<length).map { _ in
                    Int.random(in: 0..<4, using: &generator) == 0
                        ? UInt8.random(in: 0...255, using: &generator) : alphabet.randomElement(using: &generator)!
                }
                let expected = Self.reference(bytes)
                let ascii = bytes.allSatisfy { $0 < 0x80 }
                for set in [Landmarks.InstructionSet.best, .sse2, .scalar] {
                    let landmarks = Landmarks(bytes, using: set)
                    #expect(Self.lists(landmarks) == expected, "\(set) on \(bytes)")
                    #expect(landmarks.isASCII == ascii, "\(set) on \(bytes)")
                }
            }
        }
    }

    @Test func wordStartsFollowTheirDefinition() {
        let text = "ghp_x AKIA9 sk-1 Gateway 12.5+(3) a@b c:d e=f"
        let landmarks = Landmarks(Array(text.utf8))
        // Lower-case prefix starts only (`ghp_`, `sk-`, `d` of `dapi_`…); `AKIA` is a capital start.
        #expect(Array(landmarks.prefixStarts) == [0, 12, 40])
        #expect(Array(landmarks.capitals) == [6, 17])
        #expect(Array(landmarks.numberStarts) == [15, 25, 28, 31])
        #expect(Self.lists(landmarks) == Self.reference(Array(text.utf8)))
    }
}
