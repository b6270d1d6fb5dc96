internal import TextViews

/// Phone numbers and national identifiers among the number tokens of a text.
///
/// - Phones: E.164 (`+` and 8–15 digits); national formats of the US (`(415) 555-0134`,
///   `415-555-0134`), UK, BE, NL, FR and DE (a leading 0, 9–12 digits, written in groups, or
///   unseparated after a label such as `tel`). The US fictional range 555-0100…0199 is not a finding.
/// - US SSN `123-45-6789` (area/group/serial rules; unseparated only after `SSN`), Belgian
///   national number `85.07.30-033.28` (mod 97; unseparated only after a label), French NIR
///   (mod 97 key, 15 digits), Dutch BSN (11-test, only after a label: one random 9-digit number
///   in 11 passes it), UK NINO `AB 12 34 56 C`.
/// Documented and made-up SSNs (`078-05-1120`, `123-45-6789`, one repeated digit) are not findings.
struct IdentifierDetector {
    static func labels(_ words: [String]) -> [[UInt8]] { words.map { Array($0.lowercased().utf8) } }

    static let phoneLabels = labels([
        "phone", "tel", "mobile", "cell", "call", "gsm", "fax", "whatsapp", "telefoon", "téléphone", "telefon", "handy", "portable",
        "mobiel", "office", "bureau", "ruf", "appel", "bel ", "rufnummer", "telefonnummer", "telefoonnummer", "sms", "text me", "message",
        "reach", "contact", "joindre", "rappeler", "anrufen", "erreichbar", "bereikbaar", "bellen", "answering", "signal", "telegram",
        "móvil", "movil", "celular", "cellulare", "llamar", "chiamare", "contacto", "contatto",
    ])
    static let ssnLabels = labels(["ssn"])
    static let longSSNLabels = labels(["social security", "sécurité sociale"])
    static let bsnLabels = labels([
        "bsn", "burgerservicenummer", "burger service nummer", "burgerservice", "sofinummer", "sofi-nummer", "sofi",
        "citizen service number", "persoonsnummer",
    ])
    static let belgianLabels = labels([
        "rijksregisternummer", "rijksregister", "national number", "national register", "numéro national", "numero national",
        "registre national", "n° national", "nationaal nummer", "nationale nummer", "insz", "niss", "rrn", "identificatienummer",
        "numéro d'identification", "nationalnummer", "nationalregisternummer",
    ])
    /// Numbers printed in documentation and on sample cards, and made-up patterns (`111-11-1111`, `123-45-6789`).
    static let documentedSSNs: Set<String> = ["078051120", "219099999", "457555462", "123456789", "987654321"]

    func scan(_ scanner: TextScanner, tokens: [NumberToken], capitals: Landmarks.Positions) -> [(type: String, range: Range<Int>)] {
        var found: [(type: String, range: Range<Int>)] = []
        for token in tokens {
            if let type = classify(token, scanner) { found.append((type, token.range)) }
        }
        found += ninos(scanner, capitals: capitals)
        return found
    }

    func classify(_ token: NumberToken, _ scanner: TextScanner) -> String? {
        let digits = token.digits
        let count = digits.count
        let groups = token.groups
        // `+32 …`, or the `00` international prefix written out (`0032 470 …`, `001-202-…`).
        if !token.plus, count >= 10, digits[0] == 0x30, digits[1] == 0x30, isInternational(token) { return "phone" }
        if token.plus {
            guard (8...15).contains(count), digits[0] != 0x30 else { return nil }
            if digits[0] == 0x31 {
                guard count == 11 else { return nil }
                // NANP: area code and exchange start with 2–9 (`+10011010010` is a binary literal).
                let ten = digits.droppingFirst()
                guard ten[0] >= 0x32, ten[3] >= 0x32, !isFictionalUS(ten) else { return nil }
            }
            return "phone"
        }
        // US SSN: 3-2-4 with dashes or spaces; 9 bare digits after a label.
        if groups == [3, 2, 4] && !token.separators.contains(0x2E)
            || (count == 9 && groups.count == 1 && isSocialSecurityLabelled(token, scanner))
        {
            let text = token.compact
            if ChecksumValidators.usSSN(area: text.prefix(3), group: text.dropFirst(3).prefix(2), serial: text.suffix(4)),
                !Self.documentedSSNs.contains(text), !Self.isPatternSSN(text)
            {
                return "us_ssn"
            }
        }
        // Belgian national number: YY.MM.DD-SSS.CC, YYMMDD-SSS-CC and the like (groups cut only
        // where the parts meet); 11 digits in one run or other groups only after a label (its
        // own, or social security's: it is Belgium's social security number too).
        if count == 11,
            groups.count >= 3 && Self.cutsOnly(groups, at: [2, 4, 6, 9])
                || scanner.labelled(before: token.range.lowerBound, by: Self.belgianLabels)
                || isSocialSecurityLabelled(token, scanner)
        {
            if ChecksumValidators.belgianNationalNumber(token.compact) { return "be_national_number" }
        }
        // French NIR: 15 digits, compact or as 1 85 07 75 123 456 78.
        if count == 15, groups == [15] || groups == [1, 2, 2, 2, 3, 3, 2] || groups == [13, 2] {
            if ChecksumValidators.frenchNIR(token.compact) { return "fr_nir" }
        }
        // Dutch BSN: 9 digits (123456782, 1234.56.782, 123 456 782, 12-34-56-782) after a label.
        if count == 9, Self.cutsOnly(groups, at: [2, 3, 4, 6]),
            scanner.labelled(before: token.range.lowerBound, by: Self.bsnLabels) || isSocialSecurityLabelled(token, scanner)
        {
            if ChecksumValidators.bsn(token.compact) { return "nl_bsn" }
        }
        // The SSN's 3-2-4 shape is not how phone numbers are written.
        if groups == [3, 2, 4] { return nil }
        return isNationalPhone(token, scanner) ? "phone" : nil
    }

    /// `111-22-3333`, `000…`: each part one repeated digit, as made-up examples write them.
    static func isPatternSSN(_ text: String) -> Bool {
        let digits = Array(text.utf8)
        guard digits.count == 9 else { return false }
        return Set(digits[0..<3]).count == 1 && Set(digits[3..<5]).count == 1 && Set(digits[5..<9]).count == 1
    }

    /// After `SSN` or `social security number`: the Dutch BSN and the Belgian national number
    /// are their countries' social security numbers.
    private func isSocialSecurityLabelled(_ token: NumberToken, _ scanner: TextScanner) -> Bool {
        scanner.labelled(before: token.range.lowerBound, by: Self.ssnLabels, within: 16)
            || scanner.labelled(before: token.range.lowerBound, by: Self.longSSNLabels, within: 28)
    }

    /// Country calling codes of one or two digits (E.164); every other code has three digits
    /// and starts with 2, 3, 4, 5, 6, 8 or 9.
    static let shortCountryCodes: Set<Int> = [
        1, 7, 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64,
        65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ]

    /// The `00` international prefix written out: `0032 470 12 34 56`, `001-202-555-0134`. The
    /// first group is `00` and a country code, the rest 7–13 digits not written as an account
    /// number is (all in fours).
    private func isInternational(_ token: NumberToken) -> Bool {
        let groups = token.groups
        guard groups.count >= 2, (3...5).contains(groups[0]) else { return false }
        let code = token.digits[2..<groups[0]].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let known = groups[0] == 5 ? (200...999).contains(code) && ![0, 1, 7].contains(code / 100) : Self.shortCountryCodes.contains(code)
        let rest = token.digits.count - groups[0]
        return known && (7...13).contains(rest) && !groups.dropFirst().allSatisfy { $0 == 4 }
    }

    /// Whether the groups split the digits only at the given offsets.
    static func cutsOnly(_ groups: NumberToken.Groups, at offsets: Set<Int>) -> Bool {
        var offset = 0
        for group in groups.dropLast() {
            offset += group
            guard offsets.contains(offset) else { return false }
        }
        return true
    }

    /// Words that say a number is an order, an invoice, a parcel or a device: a phone's shape
    /// after one of them (`Ordernummer: 06 12 34 56 78`, `Tracking: 1Z 999 AA1 01 2345 6784`) is
    /// that, unless a phone word is as close.
    static let otherNumberLabels = labels([
        "order", "invoice", "tracking", "shipment", "parcel", "ref", "reference", "commande", "facture", "colis", "suivi",
        "bestelling", "factuur", "zending", "bestellung", "rechnung", "sendung", "auftrag", "ticket", "imei", "iccid", "serial",
        "serienummer", "seriennummer", "contract", "vertrag", "contrat", "claim", "batch", "lot", "dossier", "aktenzeichen",
    ])

    /// A national number's shape, and no word before it saying it is something else.
    private func isNationalPhone(_ token: NumberToken, _ scanner: TextScanner) -> Bool {
        guard hasNationalPhoneShape(token, scanner) else { return false }
        return !scanner.labelled(before: token.range.lowerBound, by: Self.otherNumberLabels, within: 24)
            || scanner.labelled(before: token.range.lowerBound, by: Self.phoneLabels, within: 24)
    }

    private func hasNationalPhoneShape(_ token: NumberToken, _ scanner: TextScanner) -> Bool {
        let digits = token.digits
        let count = digits.count
        let groups = token.groups
        // Date-like shapes and US ZIP+4 codes (`Boston, MA 02110-1301`) are never phones; nor is
        // a run of ascending digits (`0123456789`, a placeholder).
        if groups == [4, 2, 2] || groups == [2, 2, 4] || groups == [2, 2, 2] { return false }
        if groups == [5, 4], token.separators == [0x2D] { return false }
        // A date with the time after it (`01/10/2010 15:20`); bytes of a hex dump (`… 9d 06 09 53 74`).
        if groups.count >= 3 {
            func year(_ from: Int) -> Bool { (1900...2100).contains(digits[from..<from + 4].reduce(0) { $0 * 10 + Int($1 - 0x30) }) }
            if groups[0] == 2 && groups[1] == 2 && groups[2] == 4 && year(4)
                || groups[0] == 4 && groups[1] == 2 && groups[2] == 2 && year(0)
            {
                return false
            }
        }
        // Coordinates and digit lists (`7.2 7.2 0 0 0`): a number has at most one one-digit group.
        if groups.filter({ $0 == 1 }).count >= 2 { return false }
        // Parentheses go round the area code, first: `469-474 (1978)` is pages and a year.
        if let parenthesized = token.parenthesizedGroup, parenthesized != 0 { return false }
        if groups.allSatisfy({ $0 == 2 }), Self.followsHexByte(token.range.lowerBound, scanner) { return false }
        if zip(digits.dropFirst(), digits).allSatisfy({ $0 == $1 + 1 }) { return false }
        if token.separators.contains(0x2F) && groups.count == 3 && groups.last == 4 { return false }
        // North American: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX, 1-NXX-NXX-XXXX.
        var north = digits
        var shape = groups
        if count == 11, digits[0] == 0x31, groups.first == 1 {
            north = digits.droppingFirst()
            shape = groups.droppingFirst()
        }
        if north.count == 10, shape == [3, 3, 4], north[0] >= 0x32, north[3] >= 0x32 {
            return !isFictionalUS(north)
        }
        // Ten digits in one run (`7828171196 fax`): a North American number only with a label.
        if count == 10, groups.count == 1, digits[0] >= 0x32, digits[3] >= 0x32, !isFictionalUS(digits) {
            return isPhoneLabelled(token, scanner)
        }
        // Spain, Italy and Portugal dial without a trunk 0 (612 34 56 78, 347 123 4567,
        // 912 345 678): such a number only after a phone label, in groups of 2–4 digits.
        if (9...10).contains(count), digits[0] != 0x30, groups.count >= 3, groups.allSatisfy({ (2...4).contains($0) }) {
            return scanner.labelled(before: token.range.lowerBound, by: Self.phoneLabels)
        }
        // European national numbers start with a trunk 0.
        guard (9...12).contains(count), digits[0] == 0x30, digits[1] != 0x30 else { return false }
        // Not the rest of an account number after its country code (`BE00 0586 4143 3239`).
        if followsAccountPrefix(token.range.lowerBound, scanner) { return false }
        if token.hasSeparators {
            // Groups of 1–5 digits after a trunk-and-area group of 2–5, as people write them
            // (06 12 34 56 78, 020 7946 0958, 0470/12.34.56).
            guard groups[0] >= 2 else { return false }
            return groups.allSatisfy { (1...5).contains($0) } || (groups.count == 2 && groups[0] <= 5)
        }
        return isPhoneLabelled(token, scanner)
    }

    /// What an address block or a signature writes after a number: `0477 69 91 53 office`,
    /// `7828171196 fax`, `06 95 11 89 51 (mobile)`.
    static let phoneLabelsAfter = labels([
        "phone", "tel", "mobile", "cell", "fax", "office", "home", "work", "direct", "mobiel", "portable", "privé", "prive", "thuis",
        "werk", "kantoor", "bureau", "domicile", "handy", "mobil", "festnetz", "privat", "büro",
    ])

    /// A phone label before the number (within 32 bytes), or one of ``phoneLabelsAfter`` right
    /// after it (a space or an opening parenthesis between), ending there.
    private func isPhoneLabelled(_ token: NumberToken, _ scanner: TextScanner) -> Bool {
        if scanner.labelled(before: token.range.lowerBound, by: Self.phoneLabels) { return true }
        let bytes = scanner.bytes
        var cursor = token.range.upperBound
        guard cursor < bytes.count, bytes[cursor] == 0x20 else { return false }
        cursor += 1
        if cursor < bytes.count, bytes[cursor] == 0x28 { cursor += 1 }
        return Self.phoneLabelsAfter.contains { label in
            let end = cursor + label.count
            guard end <= bytes.count, TextScanner.startsFolded(bytes[cursor...], with: label) else { return false }
            return end == bytes.count || !(TextScanner.isAlnum(bytes[end]) || bytes[end] >= 0x80)
        }
    }

    /// Whether a two-character hex byte with a letter (`9d `, `ff `) comes right before `offset`.
    static func followsHexByte(_ offset: Int, _ scanner: TextScanner) -> Bool {
        let bytes = scanner.bytes
        guard offset >= 3, bytes[offset - 1] == 0x20, offset == 3 || !TextScanner.isAlnum(bytes[offset - 4]) else { return false }
        let pair = [bytes[offset - 3], bytes[offset - 2]]
        return pair.allSatisfy { NormalizedText.hexValue($0) != nil } && pair.contains { !TextScanner.isDigit($0) }
    }

    /// Whether the token follows `XX99 ` (an IBAN's country and check digits) or another group of digits.
    private func followsAccountPrefix(_ offset: Int, _ scanner: TextScanner) -> Bool {
        let bytes = scanner.bytes
        guard offset >= 5, bytes[offset - 1] == 0x20 else { return false }
        let word = bytes[offset - 5..<offset - 1]
        return TextScanner.isUpper(word[word.startIndex]) && TextScanner.isUpper(word[word.startIndex + 1])
            && TextScanner.isDigit(word[word.startIndex + 2]) && TextScanner.isDigit(word[word.startIndex + 3])
    }

    /// The 555 exchange: 555-0100 through 555-0199 are reserved for fiction, and the rest is
    /// what films, documentation and examples write (`206-555-1111`); no subscriber has one.
    private func isFictionalUS(_ ten: NumberToken.Digits) -> Bool {
        ten.count == 10 && ten[3] == 0x35 && ten[4] == 0x35 && ten[5] == 0x35
    }

    /// UK National Insurance numbers: `AB123456C`, `AB 12 34 56 C`, `AB 123456 C`,
    /// `AB-12-34-56-C`: two prefix letters, six digits (split, if at all, into pairs by one
    /// kind of separator), the suffix letter.
    func ninos(_ scanner: TextScanner, capitals: Landmarks.Positions) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        for index in capitals where index + 9 <= bytes.count {
            guard TextScanner.isUpper(bytes[index + 1]) else { continue }
            var cursor = index + 2
            var separator: UInt8?
            func takeSeparator() {
                guard cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x2D else { return }
                if separator == nil || separator == bytes[cursor] {
                    separator = bytes[cursor]
                    cursor += 1
                }
            }
            var compact = [bytes[index], bytes[index + 1]]
            takeSeparator()
            for pair in 0..<3 {
                if pair > 0, separator != nil, cursor < bytes.count, bytes[cursor] == separator { cursor += 1 }
                guard cursor + 1 < bytes.count, TextScanner.isDigit(bytes[cursor]), TextScanner.isDigit(bytes[cursor + 1]) else { break }
                compact += [bytes[cursor], bytes[cursor + 1]]
                cursor += 2
            }
            guard compact.count == 8 else { continue }
            takeSeparator()
            guard cursor < bytes.count else { continue }
            compact.append(bytes[cursor])
            let end = cursor + 1
            if end == bytes.count || !TextScanner.isAlnum(bytes[end]), ChecksumValidators.ukNINO(String(decoding: compact, as: UTF8.self)) {
                found.append(("uk_nino", index..<end))
            }
        }
        return found
    }
}
