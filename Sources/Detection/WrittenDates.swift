/// Written dates of birth the day-month-year reader of ``DateOfBirthDetector`` does not take
/// apart: English ordinals and `of` (`March 3rd, 1985`, `3rd of March 1985`, `the 21st of
/// June 1990`), French `1er` (`1er mars 1985`), Spanish and Portuguese `de` (`3 de marzo de
/// 1985`), and a day and year with only a space between
/// (`Mar 3 1985`, which the number reader joins into one token). Read backwards from the year,
/// so only four-digit numbers in 1900–2100 cost anything; the label rule is the detector's.
extension DateOfBirthDetector {
    static let ordinalSuffixes = ["st", "nd", "rd", "th", "er", "e"].map { Array($0.utf8) }
    /// `3rd of March`, Spanish and Portuguese `3 de marzo de 1985`.
    static let joiners = ["of ", "de "].map { Array($0.utf8) }

    func ordinalDates(_ scanner: TextScanner, tokens: [NumberToken]) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        for token in tokens where token.groups.last == 4 && token.range.upperBound - token.range.lowerBound >= 4 {
            let yearStart = token.range.upperBound - 4
            let year = bytes[yearStart..<token.range.upperBound].reduce(0) { $0 * 10 + Int($1) - 0x30 }
            guard (1900...2100).contains(year), yearStart >= 5, bytes[yearStart - 1] == 0x20 else { continue }
            guard let start = monthFirst(before: yearStart - 1, bytes) ?? dayFirst(before: yearStart - 1, bytes) else { continue }
            if scanner.labelled(before: start, by: Self.labels, within: 24) {
                found.append(("date_of_birth", start..<token.range.upperBound))
            }
        }
        return found
    }

    /// `March 3rd,` / `Mar 3` ending at `end` (the space before the year): where the month starts.
    private func monthFirst(before end: Int, _ bytes: [UInt8]) -> Int? {
        var cursor = end
        if cursor > 0, bytes[cursor - 1] == 0x2C { cursor -= 1 }
        cursor = skipOrdinal(before: cursor, bytes)
        let dayEnd = cursor
        while cursor > 0, TextScanner.isDigit(bytes[cursor - 1]), dayEnd - cursor < 3 { cursor -= 1 }
        guard isDay(bytes[cursor..<dayEnd]), cursor > 1, bytes[cursor - 1] == 0x20 else { return nil }
        cursor -= 1
        if bytes[cursor - 1] == 0x2E { cursor -= 1 }
        return monthStart(endingAt: cursor, bytes)
    }

    /// `3rd of March` / `1er mars` / `3 de marzo de` ending at `end`: where the day starts.
    private func dayFirst(before end: Int, _ bytes: [UInt8]) -> Int? {
        var cursor = end
        var joined = false
        // `… marzo de 1985`: the joiner before the year.
        if let before = joiner(endingAt: cursor, bytes) {
            cursor = before
            joined = true
        }
        if cursor > 0, bytes[cursor - 1] == 0x2C || bytes[cursor - 1] == 0x2E { cursor -= 1 }
        guard let month = monthStart(endingAt: cursor, bytes), month > 1, bytes[month - 1] == 0x20 else { return nil }
        cursor = month - 1
        if let before = joiner(endingAt: cursor, bytes) {
            cursor = before
            joined = true
        }
        let suffixed = skipOrdinal(before: cursor, bytes)
        // Without an ordinal or a joiner, `3 March 1985` is the detector's own reading.
        guard suffixed != cursor || joined else { return nil }
        let dayEnd = suffixed
        cursor = suffixed
        while cursor > 0, TextScanner.isDigit(bytes[cursor - 1]), dayEnd - cursor < 3 { cursor -= 1 }
        guard isDay(bytes[cursor..<dayEnd]), cursor == 0 || !TextScanner.isAlnum(bytes[cursor - 1]) else { return nil }
        return cursor
    }

    /// Where `of ` or `de ` ends at the space `end` (the word starts after a space): the space before it.
    private func joiner(endingAt end: Int, _ bytes: [UInt8]) -> Int? {
        guard end > 3, end < bytes.count, bytes[end - 3] == 0x20 else { return nil }
        let word = bytes[(end - 2)...end].map { TextScanner.fold($0, true) }
        return Self.joiners.contains(word) ? end - 3 : nil
    }

    /// Before an ordinal suffix that follows a digit (`3rd`, `21st`, `1er`), or `offset` itself.
    private func skipOrdinal(before offset: Int, _ bytes: [UInt8]) -> Int {
        for suffix in Self.ordinalSuffixes where offset > suffix.count {
            let start = offset - suffix.count
            if TextScanner.isDigit(bytes[start - 1]), bytes[start..<offset].map({ TextScanner.fold($0, true) }) == suffix { return start }
        }
        return offset
    }

    private func isDay(_ digits: ArraySlice<UInt8>) -> Bool {
        guard (1...2).contains(digits.count) else { return false }
        return (1...31).contains(digits.reduce(0) { $0 * 10 + Int($1) - 0x30 })
    }

    /// The start of a month name that ends at `end`, if one does.
    private func monthStart(endingAt end: Int, _ bytes: [UInt8]) -> Int? {
        var start = end
        while start > 0, TextScanner.isAlnum(bytes[start - 1]) || bytes[start - 1] >= 0x80, end - start <= 10 { start -= 1 }
        guard start < end, start == 0 || !TextScanner.isAlnum(bytes[start - 1]) else { return nil }
        let word = bytes[start..<end].map { TextScanner.fold($0, true) }
        return Self.monthNames.contains { $0.0 == word } ? start : nil
    }
}
