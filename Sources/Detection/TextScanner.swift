import Foundation
internal import TextViews

/// Byte-level helpers the detectors share: they scan UTF-8 without building `String`s or
/// regular expressions, which is what keeps scanning fast (Swift's `Regex` runs at a few MB/s).
/// Detectors start from landmarks (`@`, `=`, `:`, `.`, the starts of digit runs and of
/// capitalised words, the first bytes of token prefixes) found with `memmem` or one SIMD
/// classification pass, so ordinary prose costs little more than reading it once.
package struct TextScanner {
    let bytes: [UInt8]
    let landmarks: Landmarks

    init(_ text: String) {
        self.init(Array(text.utf8))
    }

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        landmarks = Landmarks(bytes)
    }

    @inlinable
    package static func isAlnum(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    @inlinable package static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    @inlinable package static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

    /// Every offset where `needle` starts (glibc's `memmem`).
    func occurrences(of needle: [UInt8]) -> [Int] {
        bytes.withUnsafeBufferPointer { Self.occurrences(of: needle, in: $0) }
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

    /// The Unicode scalar offset of each byte offset in `byteOffsets` (continuation bytes do
    /// not count), in the same order: the offsets themselves for ASCII text, else one pass over
    /// the text up to the last offset.
    static func scalarOffsets(_ byteOffsets: [Int], in bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> [Int] {
        if isASCII { return byteOffsets }
        let order = byteOffsets.indices.sorted { byteOffsets[$0] < byteOffsets[$1] }
        var result = [Int](repeating: 0, count: byteOffsets.count)
        var scalars = 0
        var position = 0
        for index in order {
            let target = byteOffsets[index]
            while position < target {
                if bytes[position] & 0xC0 != 0x80 { scalars += 1 }
                position += 1
            }
            result[index] = scalars
        }
        return result
    }

    /// Every offset where `needle` starts in `bytes` (glibc's `memmem`).
    static func occurrences(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        ByteSearch.occurrences(of: needle, in: bytes)
    }

    /// Whether `needle` occurs in `haystack`, ASCII case-insensitively when `foldCase`.
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8], foldCase: Bool = false) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return needle.isEmpty }
        var index = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while index <= last {
            if fold(haystack[index], foldCase) == first {
                var offset = 1
                while offset < needle.count && fold(haystack[index + offset], foldCase) == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            index += 1
        }
        return false
    }

    /// Whether `bytes` start with `lowercase` (lower-case ASCII), ASCII case-insensitively.
    static func startsFolded(_ bytes: ArraySlice<UInt8>, with lowercase: [UInt8]) -> Bool {
        guard bytes.count >= lowercase.count else { return false }
        var index = bytes.startIndex
        for byte in lowercase {
            guard fold(bytes[index], true) == byte else { return false }
            index += 1
        }
        return true
    }

    @inline(__always) static func fold(_ byte: UInt8, _ foldCase: Bool) -> UInt8 {
        foldCase && byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    /// How many different bytes `bytes` holds (up to 256), without hashing.
    static func distinctCount(_ bytes: ArraySlice<UInt8>) -> Int {
        var seen = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var count = 0
        for byte in bytes {
            let bit = UInt64(1) << UInt64(byte & 63)
            switch byte >> 6 {
            case 0:
                if seen.0 & bit == 0 {
                    seen.0 |= bit
                    count += 1
                }
            case 1:
                if seen.1 & bit == 0 {
                    seen.1 |= bit
                    count += 1
                }
            case 2:
                if seen.2 & bit == 0 {
                    seen.2 |= bit
                    count += 1
                }
            default:
                if seen.3 & bit == 0 {
                    seen.3 |= bit
                    count += 1
                }
            }
        }
        return count
    }

    /// Which bytes findings already cover, so a later detector does not report them again: the
    /// covered ranges, sorted and disjoint (findings are few, so this stays small and nothing
    /// text-sized is allocated).
    struct Coverage {
        private var ranges: [Range<Int>] = []

        /// The items of `batch` (sorted by start) that overlap neither what is covered nor an
        /// earlier item they keep; covers them. One merge pass, however the batches interleave.
        mutating func takeFree<Item>(_ batch: [Item], range: (Item) -> Range<Int>) -> [Item] {
            guard !batch.isEmpty else { return [] }
            var accepted: [Item] = []
            var merged: [Range<Int>] = []
            merged.reserveCapacity(ranges.count + batch.count)
            var index = 0
            var acceptedEnd = Int.min
            for item in batch {
                let candidate = range(item)
                guard !candidate.isEmpty else { continue }
                while index < ranges.count, ranges[index].upperBound <= candidate.lowerBound {
                    merged.append(ranges[index])
                    index += 1
                }
                let overlaps = index < ranges.count && ranges[index].lowerBound < candidate.upperBound
                guard !overlaps, candidate.lowerBound >= acceptedEnd else { continue }
                accepted.append(item)
                merged.append(candidate)
                acceptedEnd = candidate.upperBound
            }
            merged.append(contentsOf: ranges[index...])
            ranges = merged
            return accepted
        }
    }

    /// A set of two-byte sequences as a bitmap over all 65,536 pairs: a gate that says in one
    /// lookup whether some word of a list could start here.
    struct BytePairs {
        private var bits = [UInt64](repeating: 0, count: 1024)

        /// The first two bytes of each of `words`.
        init(startsOf words: [[UInt8]]) {
            for word in words where word.count >= 2 {
                let pair = Int(word[0]) << 8 | Int(word[1])
                bits[pair >> 6] |= 1 << (pair & 63)
            }
        }

        func contains(_ first: UInt8, _ second: UInt8) -> Bool {
            let pair = Int(first) << 8 | Int(second)
            return bits[pair >> 6] & (1 << (pair & 63)) != 0
        }
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
