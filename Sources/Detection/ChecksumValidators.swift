/// The checksums that tell a real identifier from a number that merely looks like one: the
/// personal-data detectors report a payment card, IBAN or national number only when it
/// validates. Pure functions over ASCII digits and letters; separators (spaces, dashes, dots)
/// are the caller's to strip.
///
/// Written here: each is a few lines of arithmetic from a public specification (ISO/IEC 7812
/// Luhn, ISO 13616 IBAN mod-97, the Dutch BSN 11-test, the Belgian national register number,
/// the French NIR key, UK NINO and US SSN allocation rules); no Swift package offers them.
enum ChecksumValidators {
    /// Digits only, or nil when anything else is present.
    static func digits(_ text: some StringProtocol) -> [Int]? {
        var result: [Int] = []
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            result.append(Int(byte - 0x30))
        }
        return result
    }

    /// ISO/IEC 7812 Luhn check, for payment card numbers of 12 to 19 digits.
    static func luhn(_ text: some StringProtocol) -> Bool {
        guard let digits = digits(text), (12...19).contains(digits.count) else { return false }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    /// IBAN lengths per country (ISO 13616 registry), for the countries most seen in Europe and beyond.
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AT": 20, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "CH": 21, "CY": 28, "CZ": 24,
        "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GI": 23, "GL": 18, "GR": 27,
        "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20,
        "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PL": 28,
        "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26,
        "UA": 29, "VA": 22, "XK": 20,
    ]

    /// ISO 13616: known country and length, then mod-97 of the rearranged number is 1.
    static func iban(_ text: some StringProtocol) -> Bool {
        let characters = Array(text.utf8)
        guard characters.count >= 15, characters.count <= 34 else { return false }
        let country = String(decoding: characters[0..<2], as: UTF8.self)
        guard let length = ibanLengths[country], length == characters.count else { return false }
        guard characters[2...3].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        // ISO 7064 MOD 97-10 check digits run from 02 to 98.
        let check = Int(characters[2] - 0x30) * 10 + Int(characters[3] - 0x30)
        guard (2...98).contains(check) else { return false }
        var remainder = 0
        for byte in characters[4...] + characters[0..<4] {
            switch byte {
            case 0x30...0x39:
                remainder = (remainder * 10 + Int(byte - 0x30)) % 97
            case 0x41...0x5A:
                remainder = (remainder * 100 + Int(byte - 0x41 + 10)) % 97
            default:
                return false
            }
        }
        return remainder == 1
    }

    /// Dutch BSN: 9 digits, 9·d1 + 8·d2 + … + 2·d8 − 1·d9 divisible by 11, and not all zeros.
    static func bsn(_ text: some StringProtocol) -> Bool {
        guard let digits = digits(text), digits.count == 9, digits.contains(where: { $0 != 0 }) else { return false }
        var sum = 0
        for (index, digit) in digits.enumerated() {
            sum += index == 8 ? -digit : digit * (9 - index)
        }
        return sum % 11 == 0
    }

    /// Belgian national register number: YYMMDD + 3-digit serial + 2-digit check, where the
    /// check is 97 − (first nine digits mod 97), with a leading 2 for people born from 2000.
    static func belgianNationalNumber(_ text: some StringProtocol) -> Bool {
        guard let digits = digits(text), digits.count == 11 else { return false }
        let body = digits[0..<9].reduce(0) { $0 * 10 + $1 }
        let check = digits[9] * 10 + digits[10]
        let month = digits[2] * 10 + digits[3]
        guard (0...12).contains(month) || (20...32).contains(month) || (40...52).contains(month) else { return false }
        guard digits[4] * 10 + digits[5] <= 31 else { return false }
        return 97 - body % 97 == check || 97 - (2_000_000_000 + body) % 97 == check
    }

    /// French NIR (numéro de sécurité sociale): sex 1/2 (7/8 for temporary numbers), YYMM,
    /// department (2A/2B for Corsica), commune, order, then key = 97 − (number mod 97).
    static func frenchNIR(_ text: some StringProtocol) -> Bool {
        var characters = Array(text.utf8)
        guard characters.count == 15 else { return false }
        var corsicaOffset = 0
        if characters[5] == 0x32 && (characters[6] == 0x41 || characters[6] == 0x42) {
            // 2A counts as 19 and 2B as 18 in the key.
            corsicaOffset = characters[6] == 0x41 ? 1_000_000 : 2_000_000
            characters[6] = 0x30
        }
        guard let digits = digits(String(decoding: characters, as: UTF8.self)) else { return false }
        guard [1, 2, 7, 8].contains(digits[0]) else { return false }
        let month = digits[3] * 10 + digits[4]
        guard (1...12).contains(month) || (20...42).contains(month) || (50...99).contains(month) else { return false }
        let body = digits[0..<13].reduce(0) { $0 * 10 + $1 } - corsicaOffset
        let key = digits[13] * 10 + digits[14]
        return (1...97).contains(key) && 97 - body % 97 == key
    }

    /// UK National Insurance number: two letters (not D, F, I, Q, U, V; second not O; not the
    /// prefixes BG, GB, KN, NK, NT, TN, ZZ), six digits, suffix A–D.
    static func ukNINO(_ text: some StringProtocol) -> Bool {
        let characters = Array(text.utf8)
        guard characters.count == 9 else { return false }
        let first = characters[0]
        let second = characters[1]
        let forbidden: Set<UInt8> = Set("DFIQUV".utf8)
        guard (0x41...0x5A).contains(first), (0x41...0x5A).contains(second), !forbidden.contains(first), !forbidden.contains(second),
            second != UInt8(ascii: "O")
        else { return false }
        let prefix = String(decoding: characters[0..<2], as: UTF8.self)
        guard !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(prefix) else { return false }
        guard digits(String(decoding: characters[2..<8], as: UTF8.self)) != nil else { return false }
        return (0x41...0x44).contains(characters[8])
    }

    /// US Social Security number: area not 000, 666 or 900–999; group not 00; serial not 0000.
    static func usSSN(area: some StringProtocol, group: some StringProtocol, serial: some StringProtocol) -> Bool {
        guard let a = digits(area), a.count == 3, let g = digits(group), g.count == 2, let s = digits(serial), s.count == 4 else {
            return false
        }
        let areaNumber = a[0] * 100 + a[1] * 10 + a[2]
        return areaNumber != 0 && areaNumber != 666 && areaNumber < 900 && g != [0, 0] && s != [0, 0, 0, 0]
    }
}
