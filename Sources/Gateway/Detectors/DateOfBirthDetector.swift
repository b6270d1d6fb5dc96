/// Dates of birth: a date right after a label (`DOB`, `date of birth`, `born on`,
/// `geboortedatum`, `date de naissance`, `Geburtsdatum`, `né le`, …). A bare date is not
/// personal data; a labelled one is. Formats: 1985-07-30, 30/07/1985, 07/30/1985, 30.07.1985,
/// 30-07-1985, 30 July 1985, July 30, 1985. Day and month are checked.
struct DateOfBirthDetector {
    static let labels = IdentifierDetector.labels([
        "date of birth", "dob", "born on", "born", "birth date", "birthdate", "birthday", "geboortedatum", "geboren op", "geboren am",
        "geboren", "date de naissance", "né le", "née le", "geburtsdatum", "fecha de nacimiento",
    ])
    static let months = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ].map { Array($0.utf8) }

    func scan(_ scanner: TextScanner, tokens: [NumberToken]) -> [(type: String, range: Range<Int>)] {
        var found: [(type: String, range: Range<Int>)] = []
        for token in tokens where Self.isNumericDate(token) {
            if scanner.labelled(before: token.range.lowerBound, by: Self.labels, within: 24) {
                found.append(("date_of_birth", token.range))
            }
        }
        found += writtenDates(scanner, tokens: tokens)
        return found
    }

    static func isNumericDate(_ token: NumberToken) -> Bool {
        guard token.separators.count == 1, !token.separators.contains(0x20), token.digits.count == 8 else { return false }
        func number(_ range: Range<Int>) -> Int { token.digits[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        if token.groups == [4, 2, 2] {
            return valid(year: number(0..<4), month: number(4..<6), day: number(6..<8))
        }
        if token.groups == [2, 2, 4] {
            let (first, second, year) = (number(0..<2), number(2..<4), number(4..<8))
            return valid(year: year, month: second, day: first) || valid(year: year, month: first, day: second)
        }
        return false
    }

    static func valid(year: Int, month: Int, day: Int) -> Bool {
        (1900...2100).contains(year) && (1...12).contains(month) && (1...31).contains(day)
    }

    /// `30 July 1985` and `July 30, 1985` after a label.
    func writtenDates(_ scanner: TextScanner, tokens: [NumberToken]) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        for (position, token) in tokens.enumerated() where token.groups.count == 1 && (1...2).contains(token.digits.count) {
            let day = token.digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard (1...31).contains(day) else { continue }
            // Day Month Year: the month word follows the day.
            let afterDay = token.range.upperBound + 1
            if afterDay < bytes.count, bytes[token.range.upperBound] == 0x20, let monthEnd = monthWord(scanner, at: afterDay),
                position + 1 < tokens.count, tokens[position + 1].range.lowerBound == monthEnd + 1, isYear(tokens[position + 1]),
                scanner.labelled(before: token.range.lowerBound, by: Self.labels, within: 24)
            {
                found.append(("date_of_birth", token.range.lowerBound..<tokens[position + 1].range.upperBound))
                continue
            }
            // Month Day, Year: the month word precedes the day.
            var monthStart = token.range.lowerBound - 1
            guard monthStart > 0, bytes[monthStart] == 0x20 else { continue }
            while monthStart > 0, TextScanner.isAlnum(bytes[monthStart - 1]) { monthStart -= 1 }
            guard monthWord(scanner, at: monthStart) == token.range.lowerBound - 1, position + 1 < tokens.count else { continue }
            let year = tokens[position + 1]
            let gap = bytes[token.range.upperBound..<year.range.lowerBound]
            guard isYear(year), gap.elementsEqual([0x2C, 0x20]) || gap.elementsEqual([0x20]) else { continue }
            if scanner.labelled(before: monthStart, by: Self.labels, within: 24) {
                found.append(("date_of_birth", monthStart..<year.range.upperBound))
            }
        }
        return found
    }

    private func isYear(_ token: NumberToken) -> Bool {
        token.groups == [4] && (1900...2100).contains(token.digits.reduce(0) { $0 * 10 + Int($1 - 0x30) })
    }

    /// The end of an English month name starting at `offset`, if one does.
    private func monthWord(_ scanner: TextScanner, at offset: Int) -> Int? {
        let end = scanner.run(from: offset, while: TextScanner.isAlnum)
        guard end > offset else { return nil }
        let word = scanner.bytes[offset..<end].map { TextScanner.fold($0, true) }
        return Self.months.contains(word) ? end : nil
    }
}
