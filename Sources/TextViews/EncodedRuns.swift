internal import CTextScan

/// Runs of encoded text that may carry a value past the detectors: base64 (standard and
/// URL-safe alphabets), hex and percent-encoding. A run is decoded only when it is long enough
/// to hold a secret and what it decodes to is text (valid UTF-8 without control characters);
/// binary (an image, a hash, a random key) is left alone. Decoding is bounded: a run of at most
/// ``maxRun`` bytes, and a budget of decoded bytes per scan shared by every level of nesting.
package enum EncodedRuns {
    typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    /// How a run was written; named in a finding found inside one.
    package enum Encoding: String, Sendable, CaseIterable {
        case base64, hex, percent
    }

    package struct Run {
        package var range: Range<Int>
        package var encoding: Encoding
        package var decoded: String
    }

    /// The shortest base64 run decoded (12 bytes of text).
    static let minBase64 = 16
    /// The shortest hex run decoded (12 bytes of text).
    static let minHex = 24
    /// The longest run decoded; longer ones are data, not a smuggled value.
    package static let maxRun = 1 << 20
    /// Decoded bytes per scanned text, every level included.
    package static let budget = 4 << 20
    /// How many encodings deep a value is looked for (base64 of percent-encoded text is two).
    package static let maxDepth = 2

    /// The decodable runs of `bytes` outside `covered` (ranges already found), in order. Only
    /// tokens (runs of printable ASCII) that hold a base64-alphabet stretch of ``minBase64``
    /// bytes or a `%` are looked at, and those are found by a SIMD pass (`tp_next_base64_run`,
    /// `memmem`), so prose costs next to nothing.
    package static func runs(in buffer: UnsafeBufferPointer<UInt8>, outside covered: [Range<Int>], budget: inout Int) -> [Run] {
        do {
            var tokens: [(range: Range<Int>, percent: Bool)] = []
            var from = 0
            while from < buffer.count, let base = buffer.baseAddress {
                let start = tp_next_base64_run(base, buffer.count, from, minBase64)
                guard start >= 0 else { break }
                let token = self.token(around: start, in: buffer)
                tokens.append((token, false))
                from = token.upperBound
            }
            var afterPercent = 0
            for percent in ByteSearch.occurrences(of: [0x25], in: buffer) where percent >= afterPercent {
                let token = self.token(around: percent, in: buffer)
                tokens.append((token, true))
                afterPercent = token.upperBound
            }
            // A token found both ways is taken once, as the one with a `%`.
            tokens.sort { ($0.range.lowerBound, $0.percent ? 0 : 1) < ($1.range.lowerBound, $1.percent ? 0 : 1) }
            let covered = covered.sorted { $0.upperBound < $1.upperBound }
            // The first covered range that does not end before the current token (tokens go forward).
            var nextCovered = 0
            var runs: [Run] = []
            var done = 0
            for (token, percent) in tokens where token.lowerBound >= done && token.count >= 4 && token.count <= maxRun {
                guard budget > 0 else { break }
                done = token.upperBound
                while nextCovered < covered.count, covered[nextCovered].upperBound <= token.lowerBound { nextCovered += 1 }
                guard !covered[nextCovered...].prefix(while: { $0.lowerBound < token.upperBound }).contains(where: { $0.overlaps(token) })
                else { continue }
                runs += decode(buffer, token, percent: percent, budget: &budget)
            }
            return runs
        }
    }

    /// The run of printable ASCII around `offset`.
    private static func token(around offset: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var start = offset
        while start > 0, buffer[start - 1] > 0x20, buffer[start - 1] < 0x7F { start -= 1 }
        var end = offset
        while end < buffer.count, buffer[end] > 0x20, buffer[end] < 0x7F { end += 1 }
        return start..<end
    }

    /// The runs inside one token: its percent-decoding when it has escapes, else its longest
    /// base64 or hex stretch.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ token: Range<Int>, percent: Bool, budget: inout Int) -> [Run] {
        if percent, let text = percentDecoded(bytes[token]) {
            budget -= text.utf8.count
            return [Run(range: token, encoding: .percent, decoded: text)]
        }
        var runs: [Run] = []
        var start = token.lowerBound
        while start < token.upperBound {
            guard isBase64(bytes[start]) else {
                start += 1
                continue
            }
            let end = start + tp_base64_prefix(bytes.baseAddress! + start, token.upperBound - start)
            var padded = end
            while padded < token.upperBound, padded - end < 2, bytes[padded] == 0x3D { padded += 1 }
            let stretch = start..<end
            start = padded
            // `0x` before hex digits is part of the run.
            let prefixed = stretch.count > 2 && bytes[stretch.lowerBound] == 0x30 && bytes[stretch.lowerBound + 1] | 0x20 == 0x78
            let digits = prefixed ? stretch.lowerBound + 2..<stretch.upperBound : stretch
            if digits.count >= minHex, digits.count % 2 == 0, headIsText(bytes[digits], bitsPerDigit: 4),
                bytes[digits].allSatisfy({ NormalizedText.hexValue($0) != nil }), let text = hexDecoded(bytes[digits])
            {
                budget -= text.utf8.count
                runs.append(Run(range: stretch, encoding: .hex, decoded: text))
            } else if stretch.count >= minBase64, let text = base64Decoded(bytes[stretch]) {
                budget -= text.utf8.count
                runs.append(Run(range: stretch.lowerBound..<padded, encoding: .base64, decoded: text))
            }
        }
        return runs
    }

    static func isBase64(_ byte: UInt8) -> Bool {
        isAlnum(byte) || byte == 0x2B || byte == 0x2F || byte == 0x2D || byte == 0x5F
    }

    static func base64Value(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x41...0x5A: UInt32(byte - 0x41)
        case 0x61...0x7A: UInt32(byte - 0x61 + 26)
        case 0x30...0x39: UInt32(byte - 0x30 + 52)
        case 0x2B, 0x2D: 62
        case 0x2F, 0x5F: 63
        default: nil
        }
    }

    /// Base64 (either alphabet, padding optional) decoded, when it is text.
    private static func base64Decoded(_ run: Bytes) -> String? {
        // A run that is not text shows it in its first bytes: look at those before the rest.
        guard headIsText(run, bitsPerDigit: 6), let bytes = base64Bytes(run), isText(bytes, partial: false) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the first 12 bytes a base64 (6 bits a digit) or hex (4) run decodes to are free
    /// of control characters and of bytes no UTF-8 text has, decoded without allocating: most
    /// runs that are not text (hashes, random keys, ids) fail here.
    private static func headIsText(_ run: Bytes, bitsPerDigit: Int) -> Bool {
        var accumulator: UInt32 = 0
        var bits = 0
        var decoded = 0
        var continuation = 0
        for byte in run {
            guard let value = bitsPerDigit == 6 ? base64Value(byte) : NormalizedText.hexValue(byte).map(UInt32.init) else { return false }
            accumulator = accumulator << UInt32(bitsPerDigit) | value
            bits += bitsPerDigit
            guard bits >= 8 else { continue }
            bits -= 8
            let decodedByte = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
            accumulator &= (1 << UInt32(bits)) - 1
            decoded += 1
            // Control characters, and UTF-8 whose lead and continuation bytes do not pair up.
            switch decodedByte {
            case 0x09, 0x0A, 0x0D: guard continuation == 0 else { return false }
            case 0x00..<0x20, 0x7F: return false
            case 0x20..<0x80: guard continuation == 0 else { return false }
            case 0x80..<0xC0:
                guard continuation > 0 else { return false }
                continuation -= 1
            case 0xC2..<0xE0:
                guard continuation == 0 else { return false }
                continuation = 1
            case 0xE0..<0xF0:
                guard continuation == 0 else { return false }
                continuation = 2
            case 0xF0..<0xF5:
                guard continuation == 0 else { return false }
                continuation = 3
            default: return false
            }
            if decoded == 12 { return true }
        }
        return true
    }

    /// The bytes a base64 run decodes to (a trailing partial byte dropped), or nil when a byte
    /// is outside both alphabets.
    package static func base64Bytes(_ run: some Collection<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(run.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in run {
            guard let value = base64Value(byte) else { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return output
    }

    private static func hexDecoded(_ run: Bytes) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(run.count / 2)
        var index = run.startIndex
        while index + 1 < run.endIndex {
            output.append(NormalizedText.hexValue(run[index])! << 4 | NormalizedText.hexValue(run[index + 1])!)
            index += 2
        }
        return isText(output, partial: false) ? String(decoding: output, as: UTF8.self) : nil
    }

    /// The token with every `%XX` decoded, when there is one and the result is text.
    private static func percentDecoded(_ token: Bytes) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(token.count)
        var index = token.startIndex
        var escapes = 0
        while index < token.endIndex {
            if token[index] == 0x25, index + 2 < token.endIndex, let high = NormalizedText.hexValue(token[index + 1]),
                let low = NormalizedText.hexValue(token[index + 2])
            {
                output.append(high << 4 | low)
                escapes += 1
                index += 3
            } else {
                output.append(token[index])
                index += 1
            }
        }
        guard escapes > 0, String(validating: output, as: UTF8.self) != nil else { return nil }
        // Control characters decoded here are removed by the view the decoded text gets.
        return String(decoding: output, as: UTF8.self)
    }

    /// Valid UTF-8 (a prefix of it, when `partial`) with no control characters but tab and
    /// line breaks, at least 8 bytes when complete.
    package static func isText(_ bytes: [UInt8], partial: Bool) -> Bool {
        for byte in bytes where byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D || byte == 0x7F {
            return false
        }
        if partial {
            // Cut at a character boundary before validating.
            var end = bytes.count
            while end > 0, bytes[end - 1] & 0xC0 == 0x80 { end -= 1 }
            if end > 0, bytes[end - 1] >= 0xC0 { end -= 1 }
            return String(validating: bytes[..<end], as: UTF8.self) != nil
        }
        return bytes.count >= 8 && String(validating: bytes, as: UTF8.self) != nil
    }

    /// Letters and digits (ASCII).
    static func isAlnum(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
