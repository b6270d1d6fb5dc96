/// A credential written twice is leaked twice: once a value is found as a secret (by its
/// shape, its name or its phrase), every other place the same value stands in the text as a
/// whole token is that secret too (`Passwd: Xy7k… Xy7k…`, `root/Xy7k…, root password: Xy7k…`).
/// Without this, redaction would leave the second copy in the prompt.
///
/// A prompt-sized text (up to ``wholeText``) is searched whole for each value; in a longer one
/// each value is looked for within ``neighbourhood`` bytes of where it was found (its line and
/// those around it), and the search stops after half a pass's worth of bytes, so a text dense
/// with secrets costs no more than that.
enum RepeatedSecrets {
    /// Values shorter than this are not looked for again: a short value may be a common word.
    static let minimumLength = 8
    static let wholeText = 64 * 1024
    static let neighbourhood = 512

    /// Every occurrence of a value in `found` that `found` does not already cover.
    static func occurrences(
        of found: [(type: String, range: Range<Int>)],
        in utf8: UnsafeBufferPointer<UInt8>
    ) -> [(
        type: String, range: Range<Int>
    )] {
        guard !found.isEmpty else { return [] }
        var budget = utf8.count / 2 + wholeText
        var known = Set<Int>()
        var repeats: [(type: String, range: Range<Int>)] = []
        for item in found where item.range.count >= minimumLength && item.type != "private_key" {
            let value = Array(utf8[item.range])
            guard isDistinctive(value[...]) else { continue }
            if known.isEmpty { known = Set(found.map(\.range.lowerBound)) }
            let region =
                utf8.count <= wholeText
                ? 0..<utf8.count
                : max(0, item.range.lowerBound - neighbourhood)..<min(utf8.count, item.range.upperBound + neighbourhood)
            guard budget >= region.count else { break }
            budget -= region.count
            for offset in TextScanner.occurrences(of: value, in: UnsafeBufferPointer(rebasing: utf8[region])) {
                let start = region.lowerBound + offset
                let end = start + value.count
                // A whole token, not the middle of a longer word or key; each place once.
                if start > 0, TextScanner.isAlnum(utf8[start - 1]), TextScanner.isAlnum(value[0]) { continue }
                if end < utf8.count, TextScanner.isAlnum(utf8[end]), TextScanner.isAlnum(value[value.count - 1]) { continue }
                guard known.insert(start).inserted else { continue }
                repeats.append((item.type, start..<end))
            }
        }
        return repeats
    }

    /// A value that stands for itself wherever it appears: three kinds of characters (lower,
    /// upper, digit, symbol) and not a run of words (`true|false`, `password1` or
    /// `scram-sha-256` may be found once by their name, but elsewhere are just words).
    static func isDistinctive(_ value: ArraySlice<UInt8>) -> Bool {
        SecretAssignments.characterKinds(value) >= 3 && !SecretAssignments.isWordRun(value)
    }
}
