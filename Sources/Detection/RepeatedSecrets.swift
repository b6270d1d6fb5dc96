/// A credential written twice is leaked twice: once a value is found as a secret (by its
/// shape, its name or its phrase), every other place the same value stands in the text as a
/// whole token is that secret too (`Passwd: Xy7k… Xy7k…`, `root/Xy7k…, root password: Xy7k…`).
/// Without this, redaction would leave the second copy in the prompt.
enum RepeatedSecrets {
    /// Values shorter than this are not looked for again: a short value may be a common word.
    static let minimumLength = 8
    /// At most this many distinct values are looked for (each one is a `memmem` over the text).
    static let maximumValues = 32

    /// A value that stands for itself wherever it appears: three kinds of characters (lower,
    /// upper, digit, symbol) and not a run of words (`true|false`, `password1` or
    /// `scram-sha-256` may be found once by their name, but elsewhere are just words).
    static func isDistinctive(_ value: ArraySlice<UInt8>) -> Bool {
        SecretAssignments.characterKinds(value) >= 3 && !SecretAssignments.isWordRun(value)
    }

    /// Every occurrence of a value in `found` that `found` does not already cover.
    static func occurrences(
        of found: [(type: String, range: Range<Int>)],
        in utf8: UnsafeBufferPointer<UInt8>
    ) -> [(
        type: String, range: Range<Int>
    )] {
        guard !found.isEmpty else { return [] }
        var types: [[UInt8]: String] = [:]
        var order: [[UInt8]] = []
        for item in found where item.range.count >= minimumLength && item.type != "private_key" {
            let value = Array(utf8[item.range])
            guard types[value] == nil, isDistinctive(value[...]) else { continue }
            types[value] = item.type
            order.append(value)
            if order.count == maximumValues { break }
        }
        let known = Set(found.map(\.range.lowerBound))
        var repeats: [(type: String, range: Range<Int>)] = []
        for value in order {
            for start in TextScanner.occurrences(of: value, in: utf8) where !known.contains(start) {
                let end = start + value.count
                // A whole token: not the middle of a longer word or key.
                if start > 0, TextScanner.isAlnum(utf8[start - 1]), TextScanner.isAlnum(value[0]) { continue }
                if end < utf8.count, TextScanner.isAlnum(utf8[end]), TextScanner.isAlnum(value[value.count - 1]) { continue }
                repeats.append((types[value] ?? "generic_secret", start..<end))
            }
        }
        return repeats
    }
}
