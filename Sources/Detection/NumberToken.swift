/// A run of digits as people write numbers: `+32 470 12 34 56`, `(415) 555-0134`,
/// `85.07.30-033.28`, `123-45-6789`. Single separators (space, `-`, `.`, `/`) and one pair of
/// parentheses may split the digits into groups. Phone numbers and national identifiers are
/// told apart by the group shape, a checksum, and (where neither is enough) a label nearby.
/// A token holds at most 24 digits, stored inline: reading one allocates nothing.
struct NumberToken {
    static let maxDigits = 24

    var range: Range<Int>
    /// The digits (ASCII), without separators.
    var digits = Digits()
    /// How many digits each group holds, in order.
    var groups = Groups()
    /// Starts with `+` (an international number).
    var plus: Bool
    /// The separators used.
    var separators: Separators
    /// Which group stood in parentheses (`(415) 555-0134`: 0), if one did.
    var parenthesizedGroup: Int?

    /// The digits as a string (small enough to be stored inline).
    var compact: String {
        String(unsafeUninitializedCapacity: digits.count) { buffer in
            for (index, digit) in digits.enumerated() { buffer[index] = digit }
            return digits.count
        }
    }

    /// A set of separator bytes (space, `-`, `.`, `/`) as bits: no allocation per token.
    struct Separators: Equatable, ExpressibleByArrayLiteral {
        private var bits: UInt8 = 0

        init(arrayLiteral bytes: UInt8...) {
            for byte in bytes { insert(byte) }
        }

        private static func bit(_ byte: UInt8) -> UInt8 {
            switch byte {
            case 0x20: 1
            case 0x2D: 2
            case 0x2E: 4
            case 0x2F: 8
            default: 0
            }
        }

        mutating func insert(_ byte: UInt8) { bits |= Self.bit(byte) }
        func contains(_ byte: UInt8) -> Bool { bits & Self.bit(byte) != 0 }
        var count: Int { bits.nonzeroBitCount }
        func isSubset(of other: Separators) -> Bool { bits & ~other.bits == 0 }
    }

    /// Up to 24 small numbers packed into two words, `width` bits each: the digits (4 bits) and
    /// the group lengths (5 bits) of a token.
    struct Packed<Shape: PackedShape>: RandomAccessCollection, Equatable {
        private var low: UInt64 = 0
        private var high: UInt64 = 0
        private(set) var count = 0

        init() {}

        var startIndex: Int { 0 }
        var endIndex: Int { count }

        private static var perWord: Int { 64 / Shape.width }
        private static var mask: UInt64 { (1 << UInt64(Shape.width)) - 1 }

        subscript(position: Int) -> Shape.Element {
            precondition(position >= 0 && position < count, "index out of range")
            let word = position < Self.perWord ? low : high
            let shift = UInt64(Shape.width * (position % Self.perWord))
            return Shape.decode((word >> shift) & Self.mask)
        }

        @inline(__always) mutating func append(_ element: Shape.Element) {
            precondition(count < 2 * Self.perWord, "a number token holds at most 24 digits")
            let shift = UInt64(Shape.width * (count % Self.perWord))
            if count < Self.perWord { low |= Shape.encode(element) << shift } else { high |= Shape.encode(element) << shift }
            count += 1
        }

        /// The same values without the first.
        func droppingFirst() -> Self {
            var result = Self()
            for element in dropFirst() { result.append(element) }
            return result
        }
    }

    protocol PackedShape {
        associatedtype Element
        static var width: Int { get }
        static func encode(_ element: Element) -> UInt64
        static func decode(_ bits: UInt64) -> Element
    }

    /// ASCII digits, stored as their values.
    enum DigitShape: PackedShape {
        static var width: Int { 4 }
        static func encode(_ element: UInt8) -> UInt64 { UInt64(element &- 0x30) }
        static func decode(_ bits: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: bits) &+ 0x30 }
    }

    /// Group lengths, 1–24.
    enum GroupShape: PackedShape {
        static var width: Int { 5 }
        static func encode(_ element: Int) -> UInt64 { UInt64(element) }
        static func decode(_ bits: UInt64) -> Int { Int(bits) }
    }

    typealias Digits = Packed<DigitShape>
    typealias Groups = Packed<GroupShape>

    var hasSeparators: Bool { groups.count > 1 }
}

extension NumberToken.Packed: ExpressibleByArrayLiteral {
    @inline(__always) init(arrayLiteral elements: Shape.Element...) {
        self.init()
        for element in elements { append(element) }
    }
}

extension TextScanner {
    /// The digit counts of bare numbers that some detector reads (see `numberTokens`), as bits:
    /// 1, 2, 4 and 9–19.
    static let readBareLengths: UInt32 = [1, 2, 4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19].reduce(0) { $0 | 1 << $1 }

    /// Space, `-`, `.`, `/`.
    static func isNumberSeparator(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x2D || byte == 0x2E || byte == 0x2F }

    /// Every number token that does not continue a word or another number, and that some
    /// detector reads: a bare number (one group, no `+`) only when it could be a day (1–2
    /// digits), a year (4), or an identifier, phone or card (9–19). Counts, codes and IDs of
    /// other lengths are common in logs and JSON, and keeping them would only cost memory.
    func numberTokens() -> [NumberToken] {
        var tokens: [NumberToken] = []
        var done = 0
        let count = bytes.count
        for index in landmarks.numberStarts where index >= done {
            let byte = bytes[index]
            let startsNumber = Self.isDigit(byte) || (index + 1 < count && Self.isDigit(bytes[index + 1]))
            guard startsNumber, !continuesNumberOrWord(at: index) else { continue }
            let token = readNumber(from: index)
            if let token, token.plus || token.hasSeparators || Self.readBareLengths & 1 << token.digits.count != 0 {
                tokens.append(token)
            }
            done = max(index + 1, token?.range.upperBound ?? skipNumber(from: index))
        }
        return tokens
    }

    /// Whether `offset` is right after a number and its separator (`1.5`, `12-3`). A start
    /// inside a word or after a `+` is never a landmark (`Landmarks.numberStarts`).
    private func continuesNumberOrWord(at offset: Int) -> Bool {
        guard offset > 0 else { return false }
        let previous = bytes[offset - 1]
        if previous == 0x2E || previous == 0x2D || previous == 0x2C || previous == 0x2F || previous == 0x3A, offset > 1,
            Self.isDigit(bytes[offset - 2])
        {
            return true
        }
        return false
    }

    private func skipNumber(from start: Int) -> Int {
        run(from: start) { Self.isDigit($0) || $0 == 0x2B || $0 == 0x28 }
    }

    private func readNumber(from start: Int) -> NumberToken? {
        var index = start
        var token = NumberToken(range: start..<start, plus: false, separators: [])
        if bytes[index] == 0x2B {
            token.plus = true
            index += 1
        }
        var openParen = false
        var usedParen = false
        var group = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if Self.isDigit(byte) {
                // Longer runs are account numbers, hashes or IDs: no detector reads them.
                guard token.digits.count < NumberToken.maxDigits else { return nil }
                token.digits.append(byte)
                group += 1
                index += 1
                continue
            }
            let next = index + 1 < count ? bytes[index + 1] : 0
            if byte == 0x28, !usedParen, Self.isDigit(next) {
                if group > 0 { token.groups.append(group) }
                group = 0
                openParen = true
                usedParen = true
                index += 1
            } else if byte == 0x29, openParen, group > 0 {
                openParen = false
                token.parenthesizedGroup = token.groups.count
                token.groups.append(group)
                group = 0
                index += 1
                if index < count, bytes[index] == 0x20 || bytes[index] == 0x2D, index + 1 < count, Self.isDigit(bytes[index + 1]) {
                    index += 1
                }
            } else if Self.isNumberSeparator(byte), group > 0,
                Self.isDigit(next) || (next == 0x28 && !usedParen && index + 2 < count && Self.isDigit(bytes[index + 2]))
            {
                token.separators.insert(byte)
                token.groups.append(group)
                group = 0
                index += 1
            } else if group > 0, token.groups.isEmpty, !usedParen, let width = spacedSlash(at: index) {
                // An area code and a slash with spaces (`0221 / 123 45 67`, `09/ 347 47 95`).
                token.separators.insert(0x2F)
                token.groups.append(group)
                group = 0
                index += width
            } else {
                break
            }
        }
        if group > 0 { token.groups.append(group) }
        guard !openParen, !token.digits.isEmpty else { return nil }
        // A number glued to letters (`123abc`, `4k`) is a word, not a number; a grouped one
        // may end in a phone extension (`908-990-6918x3710`), which is not part of it.
        if index < count, Self.isAlnum(bytes[index]) || bytes[index] == 0x5F {
            let isExtension = bytes[index] == 0x78 && token.groups.count >= 2 && index + 1 < count && Self.isDigit(bytes[index + 1])
            guard isExtension else { return nil }
        }
        token.range = start..<index
        return token
    }

    /// The width of a slash with a space on either side or both (` / `, `/ `, ` /`) before a
    /// digit at `index`, or nil.
    private func spacedSlash(at index: Int) -> Int? {
        let count = bytes.count
        func byte(_ offset: Int) -> UInt8 { index + offset < count ? bytes[index + offset] : 0 }
        if byte(0) == 0x2F, byte(1) == 0x20, Self.isDigit(byte(2)) { return 2 }
        guard byte(0) == 0x20, byte(1) == 0x2F else { return nil }
        if Self.isDigit(byte(2)) { return 2 }
        return byte(2) == 0x20 && Self.isDigit(byte(3)) ? 3 : nil
    }

    /// Whether one of `labels` (lower-case ASCII) appears in the `within` bytes before `offset`,
    /// ASCII case-insensitively: `DOB:`, `phone`, `BSN`.
    /// The label must start a word (`ver` is not found in `server`).
    func labelled(before offset: Int, by labels: [[UInt8]], within: Int = 32) -> Bool {
        bytes.withUnsafeBufferPointer { Self.labelled(before: offset, in: $0, by: labels, within: within) }
    }

    /// ``labelled(before:by:within:)`` over any buffer (the whole text, past a window's reach).
    static func labelled(before offset: Int, in bytes: UnsafeBufferPointer<UInt8>, by labels: [[UInt8]], within: Int) -> Bool {
        let start = max(0, offset - within)
        for label in labels where label.count <= offset - start {
            var index = start
            while index + label.count <= offset {
                if fold(bytes[index], true) == label[0], index == 0 || !isAlnum(bytes[index - 1]) {
                    var matched = 1
                    while matched < label.count && fold(bytes[index + matched], true) == label[matched] { matched += 1 }
                    if matched == label.count { return true }
                }
                index += 1
            }
        }
        return false
    }
}
