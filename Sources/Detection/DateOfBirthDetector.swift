/// Dates of birth: a date right after a label (`DOB`, `date of birth`, `born on`,
/// `geboortedatum`, `date de naissance`, `Geburtsdatum`, `né le`, …). A bare date is not
/// personal data; a labelled one is. Numeric forms: 1985-07-30, 1985/7/30, 30/07/1985,
/// 07/30/1985, 30.07.1985, 3.7.1985, 30-07-85. Written forms in English, French, German and
/// Dutch: `30 July 1985`, `July 30, 1985`, `30. Juli 1985`, `le 3 mars 1985`, `3 maart 1985`,
/// `30-Jul-1985`. Day and month are checked.
struct DateOfBirthDetector {
    static let labels = IdentifierDetector.labels([
        "date of birth", "dob", "d.o.b", "born on", "born", "birth date", "birthdate", "birthday", "geboortedatum", "geboren op",
        "geboren am", "geboren", "geb.", "date de naissance", "né le", "née le", "né(e) le", "né", "née", "naissance",
        "geburtsdatum", "geburtstag", "verjaardag", "anniversaire", "fecha de nacimiento", "birth", "nacido el", "nacida el",
        "f. nac", "data di nascita", "nato il", "nata il", "data de nascimento", "nascido em", "nascida em", "födelsedatum",
        "fødselsdato",
    ])
    /// Month names and their usual abbreviations, lower case, with the month they name.
    static let monthNames: [([UInt8], Int)] = {
        // English, French, German, Dutch; then Spanish, Italian and Portuguese.
        let names: [[String]] = [
            ["january", "jan", "janvier", "janv", "januar", "jänner", "januari", "enero", "gennaio", "janeiro"],
            ["february", "feb", "février", "fevrier", "févr", "fevr", "februar", "februari", "febrero", "febbraio", "fevereiro"],
            ["march", "mar", "mars", "märz", "maerz", "mrz", "maart", "mrt", "marzo", "março", "marco"],
            ["april", "apr", "avril", "avr", "abril", "aprile"],
            ["may", "mai", "mei", "mayo", "maggio", "maio"],
            ["june", "jun", "juin", "juni", "junio", "giugno", "junho"],
            ["july", "jul", "juillet", "juil", "juli", "julio", "luglio", "julho"],
            ["august", "aug", "août", "aout", "augustus", "agosto"],
            ["september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "setembro"],
            ["october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "outubro"],
            ["november", "nov", "novembre", "noviembre", "novembro"],
            ["december", "dec", "décembre", "decembre", "déc", "dezember", "dez", "diciembre", "dicembre", "dezembro"],
        ]
        return names.enumerated().flatMap { month, words in words.map { (Array($0.utf8), month + 1) } }
    }()

    func scan(_ scanner: TextScanner, tokens: [NumberToken]) -> [(type: String, range: Range<Int>)] {
        var found: [(type: String, range: Range<Int>)] = []
        for token in tokens where Self.isNumericDate(token) {
            if scanner.labelled(before: token.range.lowerBound, by: Self.labels, within: 24) {
                found.append(("date_of_birth", token.range))
            }
        }
        found += writtenDates(scanner, tokens: tokens)
        let ordinal = ordinalDates(scanner, tokens: tokens)
        guard !ordinal.isEmpty else { return found }
        return (found + ordinal).sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// Year-month-day or day and month (either order) then year, one kind of separator (not a space).
    static func isNumericDate(_ token: NumberToken) -> Bool {
        guard token.separators.count == 1, !token.separators.contains(0x20), token.groups.count == 3, !token.plus else { return false }
        let groups = token.groups
        var values: [Int] = []
        var offset = 0
        for group in groups {
            values.append(token.digits[offset..<offset + group].reduce(0) { $0 * 10 + Int($1 - 0x30) })
            offset += group
        }
        if groups[0] == 4, groups[1] <= 2, groups[2] <= 2 {
            return valid(year: values[0], month: values[1], day: values[2])
        }
        guard groups[0] <= 2, groups[1] <= 2, groups[2] == 4 || groups[2] == 2 else { return false }
        let year = groups[2] == 2 ? 1900 + values[2] : values[2]
        return valid(year: year, month: values[1], day: values[0]) || valid(year: year, month: values[0], day: values[1])
    }

    static func valid(year: Int, month: Int, day: Int) -> Bool {
        (1900...2100).contains(year) && (1...12).contains(month) && (1...31).contains(day)
    }

    /// `30 July 1985`, `30. Juli 1985`, `30-Jul-1985` and `July 30, 1985` after a label.
    func writtenDates(_ scanner: TextScanner, tokens: [NumberToken]) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        for (position, token) in tokens.enumerated() where token.groups.count == 1 && (1...2).contains(token.digits.count) {
            let day = token.digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard (1...31).contains(day), position + 1 < tokens.count else { continue }
            let year = tokens[position + 1]
            guard isYear(year) else { continue }
            // Day Month Year: the month word follows the day (and a German `.`).
            var afterDay = token.range.upperBound
            if afterDay < bytes.count, bytes[afterDay] == 0x2E { afterDay += 1 }
            if afterDay < bytes.count, bytes[afterDay] == 0x20 || bytes[afterDay] == 0x2D,
                let monthEnd = monthWord(scanner, at: afterDay + 1), monthEnd < bytes.count,
                bytes[monthEnd] == 0x20 || bytes[monthEnd] == 0x2D || bytes[monthEnd] == 0x2E,
                year.range.lowerBound - monthEnd <= 2,
                scanner.labelled(before: token.range.lowerBound, by: Self.labels, within: 24)
            {
                found.append(("date_of_birth", token.range.lowerBound..<year.range.upperBound))
                continue
            }
            // Month Day, Year: the month word precedes the day.
            var monthStart = token.range.lowerBound - 1
            guard monthStart > 0, bytes[monthStart] == 0x20 else { continue }
            while monthStart > 0, TextScanner.isAlnum(bytes[monthStart - 1]) || bytes[monthStart - 1] >= 0x80 { monthStart -= 1 }
            guard monthWord(scanner, at: monthStart) == token.range.lowerBound - 1 else { continue }
            let gap = bytes[token.range.upperBound..<year.range.lowerBound]
            guard gap.elementsEqual([0x2C, 0x20]) || gap.elementsEqual([0x20]) else { continue }
            if scanner.labelled(before: monthStart, by: Self.labels, within: 24) {
                found.append(("date_of_birth", monthStart..<year.range.upperBound))
            }
        }
        return found
    }

    private func isYear(_ token: NumberToken) -> Bool {
        token.groups == [4] && (1900...2100).contains(token.digits.reduce(0) { $0 * 10 + Int($1 - 0x30) })
    }

    /// The end of a month name starting at `offset`, if one does.
    private func monthWord(_ scanner: TextScanner, at offset: Int) -> Int? {
        guard offset < scanner.bytes.count else { return nil }
        let end = scanner.run(from: offset) { TextScanner.isAlnum($0) || $0 >= 0x80 }
        guard end > offset, end - offset <= 10 else { return nil }
        let word = scanner.bytes[offset..<end].map { TextScanner.fold($0, true) }
        return Self.monthNames.contains { $0.0 == word } ? end : nil
    }
}
