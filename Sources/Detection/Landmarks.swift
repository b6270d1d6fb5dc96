internal import CTextScan

/// Where detectors may start: the starts of words whose first byte begins a token prefix, of
/// capitalised words, of numbers, and every `@`, `:`, `.`, `=`. Ordinary prose has few of these,
/// so the detectors that follow touch little of it. The bytes are classified 16 at a time into
/// bitmaps, one bit per byte (`tp_landmarks`, C with SSE2); each kind is read back as the
/// ascending offsets of its set bits, without building lists.
struct Landmarks {
    /// The ascending offsets of one kind of landmark: the set bits of its bitmap.
    struct Positions: Sequence {
        fileprivate let bitmaps: [UInt64]
        fileprivate let first: Int
        fileprivate let words: Int

        struct Iterator: IteratorProtocol {
            fileprivate let bitmaps: [UInt64]
            fileprivate let end: Int
            fileprivate var word: Int
            fileprivate var base: Int
            fileprivate var bits: UInt64

            mutating func next() -> Int? {
                while bits == 0 {
                    word += 1
                    guard word < end else { return nil }
                    bits = bitmaps[word]
                    base += 64
                }
                defer { bits &= bits - 1 }
                return base + bits.trailingZeroBitCount
            }
        }

        func makeIterator() -> Iterator {
            Iterator(bitmaps: bitmaps, end: first + words, word: first, base: 0, bits: words > 0 ? bitmaps[first] : 0)
        }
    }

    /// Word starts whose first byte begins a token prefix (`ghp_`, `AKIA`, `sk-`, `https://hooks`, …).
    var prefixStarts: Positions { positions(0) }
    /// Word starts with a capital letter (IBANs, NINOs).
    var capitals: Positions { positions(1) }
    /// Digits, `+` and `(`, where a number may start: not inside a word or right after a `+`.
    var numberStarts: Positions { positions(2) }
    var ats: Positions { positions(3) }
    var colons: Positions { positions(4) }
    var dots: Positions { positions(5) }
    /// `=` and `:`, in order (assignments).
    var operators: Positions { positions(6) }
    /// No byte above 0x7F: byte offsets are scalar offsets.
    let isASCII: Bool

    /// Seven bitmaps of `words` words each, one after the other, in the order above.
    private let bitmaps: [UInt64]
    private let words: Int

    private func positions(_ kind: Int) -> Positions { Positions(bitmaps: bitmaps, first: kind * words, words: words) }

    /// The first bytes of the secret detector's token prefixes.
    private static let prefixBytes = SecretDetector.landmarkPrefixBytes

    /// Which classification code runs: the best the CPU has, or (for tests, which compare them)
    /// the portable SSE2 or scalar pass.
    enum InstructionSet {
        case best, sse2, scalar

        var c: tp_instruction_set {
            switch self {
            case .best: tp_avx2
            case .sse2: tp_sse2
            case .scalar: tp_scalar
            }
        }
    }

    init(_ bytes: [UInt8], using instructionSet: InstructionSet = .best) {
        precondition(Self.prefixBytes.count <= 12, "tp_landmarks takes at most 12 prefix bytes")
        let words = (bytes.count + 63) / 64
        var ascii = true
        bitmaps = [UInt64](unsafeUninitializedCapacity: 7 * words) { maps, initialized in
            bytes.withUnsafeBufferPointer { text in
                Self.prefixBytes.withUnsafeBufferPointer { prefixes in
                    guard let base = maps.baseAddress, let start = text.baseAddress else { return }
                    let out = tp_landmark_bitmaps(
                        prefix_starts: base,
                        capitals: base + words,
                        number_starts: base + 2 * words,
                        ats: base + 3 * words,
                        colons: base + 4 * words,
                        dots: base + 5 * words,
                        operators: base + 6 * words
                    )
                    ascii = tp_landmarks_using(instructionSet.c, start, text.count, 0, prefixes.baseAddress, prefixes.count, out) != 0
                }
            }
            initialized = 7 * words
        }
        self.words = words
        isASCII = ascii
    }
}
