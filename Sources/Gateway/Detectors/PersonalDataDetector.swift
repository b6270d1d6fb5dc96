/// Finds personal data that can be told apart with confidence: e-mail addresses (not at the
/// reserved example domains), payment card numbers (Luhn-valid), IBANs (mod-97-valid). Pure.
struct PersonalDataDetector {
    /// RFC 2606 / 6761 names that are examples by definition.
    static let exampleDomains = ["example.com", "example.org", "example.net"]
    static let exampleSuffixes = [".example", ".test", ".invalid", ".localhost", ".example.com", ".example.org", ".example.net"]

    func emails(_ scanner: TextScanner) -> [Range<Int>] {
        let bytes = scanner.bytes
        let local: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x25 || $0 == 0x2B || $0 == 0x2D }
        let domain: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x2E || $0 == 0x2D }
        var found: [Range<Int>] = []
        for (at, byte) in bytes.enumerated() where byte == 0x40 {
            var start = at
            while start > 0, local(bytes[start - 1]) { start -= 1 }
            var end = scanner.run(from: at + 1, while: domain)
            while end > at + 1, bytes[end - 1] == 0x2E || bytes[end - 1] == 0x2D { end -= 1 }
            guard start < at, end > at + 1, bytes[start] != 0x2E else { continue }
            let host = scanner.text(at + 1..<end).lowercased()
            guard let dot = host.lastIndex(of: "."), host.distance(from: dot, to: host.endIndex) >= 3,
                host[host.index(after: dot)...].allSatisfy(\.isLetter)
            else { continue }
            guard !Self.exampleDomains.contains(host), !Self.exampleSuffixes.contains(where: host.hasSuffix) else { continue }
            found.append(start..<end)
        }
        return found
    }

    /// 13–19 digits, optionally grouped by single spaces or dashes, Luhn-valid, starting with
    /// a payment-card major industry identifier (2–6: Mastercard 2-series, Amex, Visa,
    /// Mastercard, Discover), and not the decimals of a number (`3.14159…`).
    func cards(_ scanner: TextScanner) -> [Range<Int>] {
        let bytes = scanner.bytes
        var found: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard TextScanner.isDigit(bytes[index]), index == 0 || !TextScanner.isAlnum(bytes[index - 1]),
                !(index >= 2 && (bytes[index - 1] == 0x2E || bytes[index - 1] == 0x2C) && TextScanner.isDigit(bytes[index - 2]))
            else {
                index += 1
                continue
            }
            var end = index
            var digits: [UInt8] = []
            while end < bytes.count {
                if TextScanner.isDigit(bytes[end]) {
                    digits.append(bytes[end])
                    end += 1
                } else if bytes[end] == 0x20 || bytes[end] == 0x2D, end + 1 < bytes.count, TextScanner.isDigit(bytes[end + 1]) {
                    end += 1
                } else {
                    break
                }
            }
            defer { index = end + 1 }
            guard end == bytes.count || !TextScanner.isAlnum(bytes[end]) else { continue }
            guard (13...19).contains(digits.count), (0x32...0x36).contains(digits[0]),
                ChecksumValidators.luhn(String(decoding: digits, as: UTF8.self))
            else { continue }
            guard Set(digits).count > 1 else { continue }
            found.append(index..<end)
        }
        return found
    }

    /// Two capital letters, two check digits, then the account in letters and digits,
    /// optionally in groups of four separated by single spaces.
    func ibans(_ scanner: TextScanner) -> [Range<Int>] {
        let bytes = scanner.bytes
        var found: [Range<Int>] = []
        var index = 0
        while index + 15 <= bytes.count {
            guard TextScanner.isUpper(bytes[index]), TextScanner.isUpper(bytes[index + 1]), TextScanner.isDigit(bytes[index + 2]),
                TextScanner.isDigit(bytes[index + 3]), index == 0 || !TextScanner.isAlnum(bytes[index - 1])
            else {
                index += 1
                continue
            }
            var end = index
            var compact: [UInt8] = []
            var best: Int?
            while end < bytes.count, compact.count < 34 {
                let byte = bytes[end]
                if TextScanner.isDigit(byte) || TextScanner.isUpper(byte) {
                    compact.append(byte)
                    end += 1
                    if compact.count >= 15, end == bytes.count || !TextScanner.isAlnum(bytes[end]),
                        ChecksumValidators.iban(String(decoding: compact, as: UTF8.self))
                    {
                        best = end
                    }
                } else if byte == 0x20, end + 1 < bytes.count, TextScanner.isAlnum(bytes[end + 1]) {
                    end += 1
                } else {
                    break
                }
            }
            if let best {
                found.append(index..<best)
                index = best
            } else {
                index += 1
            }
        }
        return found
    }
}
