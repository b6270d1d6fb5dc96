import Foundation

/// Byte-level helpers the detectors share: they scan UTF-8 without building `String`s or
/// regular expressions, which is what keeps scanning fast (Swift's `Regex` runs at a few MB/s).
struct TextScanner {
    let bytes: [UInt8]

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    static func isAlnum(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

    /// Every offset where `needle` starts.
    func occurrences(of needle: [UInt8]) -> [Int] {
        guard let first = needle.first, bytes.count >= needle.count else { return [] }
        var result: [Int] = []
        var index = 0
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == first {
                var matched = true
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { result.append(index) }
            }
            index += 1
        }
        return result
    }

    /// The end of the run of bytes from `start` that satisfy `allowed`.
    func run(from start: Int, while allowed: (UInt8) -> Bool) -> Int {
        var end = start
        while end < bytes.count && allowed(bytes[end]) { end += 1 }
        return end
    }

    /// Whether the byte before `offset` is a word character (a token does not start mid-word).
    func followsWord(_ offset: Int) -> Bool {
        offset > 0 && (Self.isAlnum(bytes[offset - 1]) || bytes[offset - 1] == 0x5F)
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// Converts byte offsets to Unicode scalar offsets (continuation bytes do not count).
    func scalarOffsets() -> [Int] {
        var offsets = [Int](repeating: 0, count: bytes.count + 1)
        var scalars = 0
        for (index, byte) in bytes.enumerated() {
            offsets[index] = scalars
            if byte & 0xC0 != 0x80 { scalars += 1 }
        }
        offsets[bytes.count] = scalars
        return offsets
    }

    /// Shannon entropy in bits per character.
    static func entropy(_ bytes: ArraySlice<UInt8>) -> Double {
        guard !bytes.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        var entropy = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / total
            entropy -= p * log2(p)
        }
        return entropy
    }
}
