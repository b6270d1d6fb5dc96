internal import CTextScan

/// Where the secret detector's password-phrase and command-line-flag readers may start, found
/// in one SIMD pass (`tp_secret_gates`): password words hold a folded `as`, `pw`, `tw`, `nw` or `nh` (`senha`);
/// a flag is a `-` after a space, tab or line break. Text with neither costs that pass only.
struct SecretGates {
    /// Ascending offsets of the set bits of a bitmap.
    struct Positions: Sequence, IteratorProtocol {
        fileprivate let bitmap: [UInt64]
        fileprivate var word = 0
        fileprivate var bits: UInt64

        fileprivate init(_ bitmap: [UInt64]) {
            self.bitmap = bitmap
            bits = bitmap.first ?? 0
        }

        mutating func next() -> Int? {
            while bits == 0 {
                word += 1
                guard word < bitmap.count else { return nil }
                bits = bitmap[word]
            }
            defer { bits &= bits - 1 }
            return word * 64 + bits.trailingZeroBitCount
        }
    }

    private let anchorBits: [UInt64]
    private let flagBits: [UInt64]

    /// Offsets of the first byte of `as`, `pw`, `tw`, `nw`, `nh` (ASCII case folded).
    var passwordAnchors: Positions { Positions(anchorBits) }
    /// Offsets of the space, tab or line break before a `-`.
    var flagStarts: Positions { Positions(flagBits) }

    /// Offsets of the `-` of each flag: after a space, tab or line break, or at the text's start.
    func flagDashes(_ bytes: [UInt8]) -> [Int] {
        (bytes.first == 0x2D ? [0] : []) + flagStarts.map { $0 + 1 }
    }

    /// Whether a password anchor starts anywhere in `range`.
    func hasPasswordAnchor(in range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        let first = range.lowerBound / 64
        let last = min((range.upperBound - 1) / 64, anchorBits.count - 1)
        guard first <= last else { return false }
        for word in first...last {
            var bits = anchorBits[word]
            if word == first { bits &= ~0 << UInt64(range.lowerBound % 64) }
            if word == last, range.upperBound % 64 != 0 { bits &= (1 << UInt64(range.upperBound % 64)) - 1 }
            if bits != 0 { return true }
        }
        return false
    }

    init(_ bytes: [UInt8]) {
        let words = (bytes.count + 63) / 64
        var anchors = [UInt64](repeating: 0, count: words)
        var flags = [UInt64](repeating: 0, count: words)
        bytes.withUnsafeBufferPointer { text in
            anchors.withUnsafeMutableBufferPointer { anchorWords in
                flags.withUnsafeMutableBufferPointer { flagWords in
                    guard let start = text.baseAddress, let a = anchorWords.baseAddress, let f = flagWords.baseAddress else { return }
                    tp_secret_gates(start, text.count, a, f)
                }
            }
        }
        anchorBits = anchors
        flagBits = flags
    }
}
