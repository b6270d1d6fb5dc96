/// Finds personal data that can be told apart with confidence: e-mail addresses (not at the
/// reserved example domains), payment card numbers (``PaymentCardRules``), IBANs (mod-97-valid). Pure.
struct PersonalDataDetector {
    /// RFC 2606 / 6761 names that are examples by definition.
    static let exampleDomains = ["example.com", "example.org", "example.net"]
    static let exampleSuffixes = [".example", ".test", ".invalid", ".localhost", ".example.com", ".example.org", ".example.net"]

    static let exampleDomainBytes = exampleDomains.map { Array($0.utf8) }
    static let exampleSuffixBytes = exampleSuffixes.map { Array($0.utf8) }

    /// Whether `bytes` equal `lowercase` (lower-case ASCII), ASCII case-insensitively.
    static func equalFolded(_ bytes: ArraySlice<UInt8>, _ lowercase: [UInt8]) -> Bool {
        bytes.count == lowercase.count && zip(bytes, lowercase).allSatisfy { TextScanner.fold($0, true) == $1 }
    }

    func emails(_ scanner: TextScanner) -> [Range<Int>] {
        let bytes = scanner.bytes
        let local: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x25 || $0 == 0x2B || $0 == 0x2D }
        let domain: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x2E || $0 == 0x2D }
        var found: [Range<Int>] = []
        for at in scanner.landmarks.ats {
            var start = at
            while start > 0, local(bytes[start - 1]) { start -= 1 }
            var end = scanner.run(from: at + 1, while: domain)
            while end > at + 1, bytes[end - 1] == 0x2E || bytes[end - 1] == 0x2D { end -= 1 }
            guard start < at, end > at + 1, bytes[start] != 0x2E else { continue }
            // A top-level label of two or more letters.
            guard let dot = bytes[at + 1..<end].lastIndex(of: 0x2E), end - dot >= 3,
                bytes[dot + 1..<end].allSatisfy({ TextScanner.isAlnum($0) && !TextScanner.isDigit($0) })
            else { continue }
            let host = bytes[at + 1..<end]
            guard !Self.exampleDomainBytes.contains(where: { Self.equalFolded(host, $0) }),
                !Self.exampleSuffixBytes.contains(where: { $0.count <= host.count && Self.equalFolded(host.suffix($0.count), $0) })
            else { continue }
            found.append(start..<end)
        }
        return found
    }

    /// Payment card numbers: 12–19 digits from a card network's issuer range and length
    /// table, Luhn-valid, written as one run or grouped as cards are printed (one kind of
    /// separator). Not the providers' documented test numbers; not a number labelled as
    /// something else (an order, invoice, parcel, product code), unless labelled a card (a
    /// table's header and test code are judged after, over the whole text:
    /// ``PaymentCardRules/isSomethingElse(at:in:)``). The lengths most numbers of other kinds
    /// share (12 and 13 digits, as EAN-13 codes; Maestro's 12–15; 19) only when labelled a card.
    func cards(_ tokens: [NumberToken], _ scanner: TextScanner) -> [Range<Int>] {
        tokens.compactMap { token in
            guard !token.plus, (12...19).contains(token.digits.count), token.separators.isSubset(of: [0x20, 0x2D]),
                token.separators.count <= 1, PaymentCardRules.isCardGrouping(token.groups), PaymentCardRules.hasIssuer(token.digits),
                ChecksumValidators.luhn(token.compact), !PaymentCardRules.isTestNumber(token)
            else { return nil }
            let start = token.range.lowerBound
            if scanner.labelled(before: start, by: PaymentCardRules.cardLabels, within: 32) { return token.range }
            if scanner.labelled(before: start, by: PaymentCardRules.otherLabels, within: 24) { return nil }
            if PaymentCardRules.needsLabel(token.digits) || !token.hasSeparators && Self.isInArithmetic(token.range, scanner) { return nil }
            return token.range
        }
    }

    /// A bare number that is an operand in code or a formula (`+ 4828147466240000*t**16`,
    /// `(4539…`, `[4539…]`): an operator or bracket right before it or right after it. Not a
    /// comma (CSV columns), `=` (`?card=4539…` in a URL, `cc=…` in a form) or `>` (markup).
    static func isInArithmetic(_ range: Range<Int>, _ scanner: TextScanner) -> Bool {
        let bytes = scanner.bytes
        var before = range.lowerBound - 1
        while before >= 0, bytes[before] == 0x20 { before -= 1 }
        var after = range.upperBound
        while after < bytes.count, bytes[after] == 0x20 { after += 1 }
        let operatorsBefore: [UInt8] = [0x2B, 0x2A, 0x2F, 0x5E, 0x28, 0x5B]
        let operatorsAfter: [UInt8] = [0x2A, 0x2F, 0x5E, 0x29, 0x5D, 0x2B]
        return before >= 0 && operatorsBefore.contains(bytes[before]) || after < bytes.count && operatorsAfter.contains(bytes[after])
    }

    /// The example IBANs that standards, banks' and payment providers' documentation and
    /// Wikipedia print (ECBS, SEPA test accounts): not anybody's account.
    static let documentedIBANs: Set<String> = [
        "DE89370400440532013000", "GB82WEST12345698765432", "GB29NWBK60161331926819", "GB33BUKB20201555555555",
        "FR1420041010050500013M02606", "FR7630006000011234567890189", "NL91ABNA0417164300", "NL02ABNA0123456789",
        "NL20INGB0001234567", "BE68539007547034", "BE71096123456769", "ES9121000418450200051332", "ES7921000813610123456789",
        "IT60X0542811101000000123456", "CH9300762011623852957", "AT611904300234573201", "PL61109010140000071219812874",
        "LU280019400644750000", "IE29AIBK93115212345678", "SE4550000000058398257466", "DK5000400440116243", "FI2112345600000785",
        "NO9386011117947", "PT50000201231234567890154", "CZ6508000000192000145399", "DE75512108001245126199",
        "DE02120300000000202051", "DE02500105170137075030", "DE02100100100006820101",
    ]

    /// Two capital letters, two check digits, then the account in letters and digits,
    /// optionally in groups of four separated by single spaces; not a ``documentedIBANs`` one.
    func ibans(_ scanner: TextScanner, capitals: Landmarks.Positions) -> [Range<Int>] {
        let bytes = scanner.bytes
        var found: [Range<Int>] = []
        var done = 0
        for index in capitals where index >= done && index + 15 <= bytes.count {
            guard TextScanner.isUpper(bytes[index + 1]), TextScanner.isDigit(bytes[index + 2]), TextScanner.isDigit(bytes[index + 3]) else {
                continue
            }
            var end = index
            var compact: [UInt8] = []
            var best: Int?
            var bestLength = 0
            while end < bytes.count, compact.count < 34 {
                let byte = bytes[end]
                if TextScanner.isDigit(byte) || TextScanner.isUpper(byte) {
                    compact.append(byte)
                    end += 1
                    if compact.count >= 15, end == bytes.count || !TextScanner.isAlnum(bytes[end]),
                        ChecksumValidators.iban(String(decoding: compact, as: UTF8.self))
                    {
                        best = end
                        bestLength = compact.count
                    }
                } else if byte == 0x20, end + 1 < bytes.count, TextScanner.isAlnum(bytes[end + 1]) {
                    end += 1
                } else {
                    break
                }
            }
            if let best {
                done = best
                guard !Self.documentedIBANs.contains(String(decoding: compact.prefix(bestLength), as: UTF8.self)) else { continue }
                found.append(index..<best)
            }
        }
        return found
    }
}
