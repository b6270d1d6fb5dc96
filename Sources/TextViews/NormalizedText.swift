internal import CTextScan
import Foundation

/// A text as the detectors read it: what a person or a model would read, with what hides a
/// value from a byte matcher taken out, and a map from every byte of that view back to the
/// exact bytes of the original, so a finding acts on the original text (the invisible
/// characters inside a secret are redacted with it).
///
/// What the view changes, scalar by scalar:
/// - removed: default-ignorable code points (zero-width space, joiners, soft hyphen, bidi
///   controls, word joiner, byte-order mark, variation selectors), other control and format
///   characters (raw NUL included) and combining marks;
/// - decoded: escapes written out as text (`\n`, `\"`, `\u0000`, `\u200b`, `\uFF21`, `\x41`, as JSON inside
///   a tool call's arguments writes them), each then read as the character it stands for;
/// - folded: compatibility forms to their plain letters and digits (Unicode NFKC: full-width
///   `ＡＫＩＡ`, mathematical `𝐀`, ligatures, superscripts), every space separator to a space,
///   and the dots that UTS #46 treats as label separators in domain names (`。` `．` `｡`) to `.`.
///
/// Plain printable ASCII without a backslash, most of what the gateway sees, is its own view
/// and costs one pass to recognise.
package struct NormalizedText {
    /// One place where the view differs from the original: `view` bytes of the view stand for
    /// `original` bytes of the original (an empty `view` for a removed character).
    struct Edit {
        var view: Range<Int>
        var original: Range<Int>
    }

    private let original: String
    /// The view's bytes when it differs from the original (empty otherwise).
    package let bytes: [UInt8]
    /// The edits in order; empty when the view is the original. Between two edits the view and
    /// the original are the same bytes, shifted.
    private let edits: [Edit]

    package var isIdentity: Bool { edits.isEmpty }

    /// The text to scan (built on request: the detectors read ``bytes``).
    package var text: String { isIdentity ? original : String(decoding: bytes, as: UTF8.self) }

    package init(_ original: String) {
        var copy = original
        var output: [UInt8] = []
        var edits: [Edit] = []
        copy.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, tp_view_plain_prefix(base, utf8.count) < utf8.count else { return }
            Self.normalize(utf8, into: &output, edits: &edits)
        }
        self.original = original
        self.edits = edits
        bytes = edits.isEmpty ? [] : output
    }

    /// The original bytes behind `range` of the view.
    package func originalRange(_ range: Range<Int>) -> Range<Int> {
        guard !edits.isEmpty else { return range }
        let lower = originalOffset(range.lowerBound, end: false)
        guard !range.isEmpty else { return lower..<lower }
        return lower..<originalOffset(range.upperBound - 1, end: true)
    }

    /// Where view byte `offset` comes from: its first original byte, or (`end`) just past its last.
    private func originalOffset(_ offset: Int, end: Bool) -> Int {
        // The last edit that starts at or before `offset`: one that holds it, or the nearest
        // before it (a removed character just before `offset` included), from which the view
        // and the original run on side by side.
        var low = 0
        var high = edits.count
        while low < high {
            let middle = (low + high) / 2
            if edits[middle].view.lowerBound <= offset { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return end ? offset + 1 : offset }
        let edit = edits[low - 1]
        if edit.view.contains(offset) { return end ? edit.original.upperBound : edit.original.lowerBound }
        let shifted = offset - edit.view.upperBound + edit.original.upperBound
        return end ? shifted + 1 : shifted
    }

    private static func normalize(_ utf8: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], edits: inout [Edit]) {
        output.reserveCapacity(utf8.count)
        var index = 0
        func replace(_ length: Int, with replacement: some Collection<UInt8>) {
            let start = output.count
            output.append(contentsOf: replacement)
            edits.append(Edit(view: start..<output.count, original: index..<index + length))
        }
        while index < utf8.count {
            // Bytes the view keeps, copied in one go.
            let plain = tp_view_plain_prefix(utf8.baseAddress! + index, utf8.count - index)
            if plain > 0 {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[index..<index + plain]))
                index += plain
                continue
            }
            let lead = utf8[index]
            if lead < 0x80 {
                if lead >= 0x20 && lead != 0x7F && lead != 0x5C || lead == 0x09 || lead == 0x0A || lead == 0x0D {
                    output.append(lead)
                    index += 1
                } else if lead == 0x5C, let (length, replacement) = escape(utf8, at: index) {
                    replace(length, with: replacement.utf8)
                    index += length
                } else if lead == 0x5C {
                    output.append(lead)
                    index += 1
                } else {
                    replace(1, with: EmptyCollection())
                    index += 1
                }
                continue
            }
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            let end = min(index + length, utf8.count)
            let scalar = decode(utf8, index, end)
            if scalar.value < 0x3000 ? unchanged[Int(scalar.value)] : keeps(scalar) {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[index..<end]))
            } else {
                replace(end - index, with: (fold(scalar) ?? "").utf8)
            }
            index = end
        }
    }

    /// Whether the view keeps a non-ASCII scalar as it is, by its properties alone (no
    /// normalization is run): not removed, not a space, not one of the folded dots or full-width
    /// forms, and either unchanged by NFKC with case folding or a capital whose only change is
    /// its case. A scalar that fails this goes through ``fold(_:)``.
    static func keeps(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3002, 0xFF0E, 0xFF61, 0xFF01...0xFF5E, 0x2028, 0x2029: return false
        default: break
        }
        let properties = scalar.properties
        if properties.isDefaultIgnorableCodePoint { return false }
        switch properties.generalCategory {
        case .control, .format, .nonspacingMark, .enclosingMark, .surrogate, .privateUse, .spaceSeparator: return false
        default: break
        }
        guard properties.changesWhenNFKCCaseFolded else { return true }
        guard properties.changesWhenCaseFolded, let lower = properties.lowercaseMapping.unicodeScalars.first,
            properties.lowercaseMapping.unicodeScalars.count == 1
        else { return false }
        return !lower.properties.changesWhenNFKCCaseFolded
    }

    /// Whether the view keeps a scalar below U+3000 (the scripts most text is in), computed
    /// once: ``keeps(_:)``, else whether ``fold(_:)`` gives it back (`ß`, which case folding
    /// changes but NFKC does not).
    private static let unchanged: [Bool] = (0..<0x3000).map { value in
        guard value >= 0x80, let scalar = Unicode.Scalar(UInt32(value)) else { return value < 0x80 }
        return keeps(scalar) || fold(scalar).map { $0.unicodeScalars.elementsEqual([scalar]) } ?? false
    }

    private static func decode(_ utf8: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Unicode.Scalar {
        var value = UInt32(utf8[start]) & (end - start == 2 ? 0x1F : end - start == 3 ? 0x0F : 0x07)
        for offset in start + 1..<end { value = value << 6 | UInt32(utf8[offset] & 0x3F) }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    /// What a non-ASCII scalar becomes in the view, or nil when it is removed.
    package static func fold(_ scalar: Unicode.Scalar) -> String? {
        let value = scalar.value
        switch value {
        case 0x3002, 0xFF0E, 0xFF61: return "."
        case 0xFF01...0xFF5E: return String(Unicode.Scalar(UInt8(value - 0xFEE0)))
        case 0x2028, 0x2029: return "\n"
        default: break
        }
        let properties = scalar.properties
        if properties.isDefaultIgnorableCodePoint { return nil }
        switch properties.generalCategory {
        case .control, .format, .nonspacingMark, .enclosingMark, .surrogate, .privateUse: return nil
        case .spaceSeparator: return " "
        default: break
        }
        // Unchanged by NFKC, or a capital whose only change is its case (É, Ä, Ж).
        if keeps(scalar) { return String(scalar) }
        let folded = String(scalar).precomposedStringWithCompatibilityMapping
        // NFKC can itself produce characters the view removes (a spacing accent's combining mark).
        var result = ""
        for inner in folded.unicodeScalars {
            if inner.isASCII {
                if inner.value >= 0x20 && inner.value != 0x7F { result.unicodeScalars.append(inner) }
            } else if inner != scalar, let again = fold(inner) {
                result += again
            } else if inner == scalar {
                result.unicodeScalars.append(inner)
            }
        }
        return result
    }

    /// An escape written out as text (`\u200b`, `\u0000`, `\u0041`, a surrogate pair, `\x00`):
    /// its length and what the character it stands for becomes in the view, or nil when it is
    /// not one (or stands for a byte above ASCII, which `\x` cannot say alone).
    /// A backslash written twice or more (`\\u0000`, the same escape in JSON inside JSON)
    /// counts as one.
    private static func escape(_ utf8: UnsafeBufferPointer<UInt8>, at start: Int) -> (Int, String)? {
        var index = start
        while index + 1 < utf8.count, utf8[index + 1] == 0x5C, index - start < 3 { index += 1 }
        guard let (length, replacement) = singleEscape(utf8, at: index) else { return nil }
        return (length + index - start, replacement)
    }

    private static func singleEscape(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> (Int, String)? {
        guard index + 1 < utf8.count else { return nil }
        let digits: Int
        switch utf8[index + 1] {
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "x"): digits = 2
        // Line breaks, tabs and quotes as JSON and string literals write them: `Phone:\n0470…`,
        // `{\"password\": \"…\"}` are read as the text they stand for.
        case UInt8(ascii: "n"): return (2, "\n")
        case UInt8(ascii: "r"): return (2, "\r")
        case UInt8(ascii: "t"): return (2, "\t")
        case UInt8(ascii: "\""): return (2, "\"")
        case UInt8(ascii: "'"): return (2, "'")
        case UInt8(ascii: "/"): return (2, "/")
        default: return nil
        }
        guard var value = hexNumber(utf8, from: index + 2, digits: digits) else { return nil }
        var length = 2 + digits
        if digits == 2, value >= 0x80 { return nil }
        if (0xD800..<0xDC00).contains(value) {
            // A UTF-16 surrogate pair, as JSON writes a character beyond the first plane.
            var next = index + 6
            while next < utf8.count, utf8[next] == 0x5C, next - index < 9 { next += 1 }
            guard next > index + 6, next + 5 <= utf8.count, utf8[next] == UInt8(ascii: "u"),
                let low = hexNumber(utf8, from: next + 1, digits: 4), (0xDC00..<0xE000).contains(low)
            else { return nil }
            value = 0x10000 + (value - 0xD800) << 10 + (low - 0xDC00)
            length = next + 5 - index
        }
        guard let scalar = Unicode.Scalar(value) else { return nil }
        if scalar.isASCII {
            let printable = value >= 0x20 && value != 0x7F || value == 0x09 || value == 0x0A || value == 0x0D
            return (length, printable ? String(scalar) : "")
        }
        if (0x80...0x9F).contains(value) { return (length, "") }
        return (length, fold(scalar) ?? "")
    }

    private static func hexNumber(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int, digits: Int) -> UInt32? {
        guard start + digits <= utf8.count else { return nil }
        var value: UInt32 = 0
        for offset in start..<start + digits {
            guard let digit = hexValue(utf8[offset]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x37
        case 0x61...0x66: byte - 0x57
        default: nil
        }
    }
}
