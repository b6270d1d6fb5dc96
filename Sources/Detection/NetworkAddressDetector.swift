#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// IPv4 addresses (four octets 0–255, not part of a longer dotted number such as a version
/// string) and IPv6 addresses (validated by `inet_pton`). The documentation ranges of RFC 5737
/// and RFC 3849, loopback and the unspecified address are examples, not findings.
struct NetworkAddressDetector {
    /// Words before a dotted number that make it a version (English, Dutch, Spanish, Italian,
    /// Portuguese; French and German write `version`).
    static let versionLabels = IdentifierDetector.labels([
        "version", "v.", "ver ", "release", "build", "versie", "versión", "versione", "versão", "firmware", "revision", "rev.",
    ])

    func scan(_ scanner: TextScanner, tokens: [NumberToken]) -> [(type: String, range: Range<Int>)] {
        ipv4(scanner, tokens: tokens) + ipv6(scanner)
    }

    /// Number tokens of four dot-separated groups of one to three digits, each 0–255 without a
    /// leading zero (a longer dotted number such as `1.2.3.4.5` is one token of five groups).
    func ipv4(_ scanner: TextScanner, tokens: [NumberToken]) -> [(type: String, range: Range<Int>)] {
        var found: [(type: String, range: Range<Int>)] = []
        for token in tokens
        where token.groups.count == 4 && token.separators == [0x2E] && !token.plus && token.groups.allSatisfy({ $0 <= 3 }) {
            var octets: [Int] = []
            var position = 0
            for length in token.groups {
                let group = token.digits[position..<position + length]
                position += length
                guard length == 1 || group.first != 0x30 else { break }
                let value = group.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                guard value <= 255 else { break }
                octets.append(value)
            }
            guard octets.count == 4, scanner.bytes[token.range.lowerBound] != 0x28 else { continue }
            guard !Self.isExample(octets), !scanner.labelled(before: token.range.lowerBound, by: Self.versionLabels, within: 12) else {
                continue
            }
            found.append(("ip_address", token.range))
        }
        return found
    }

    static func isExample(_ octets: [Int]) -> Bool {
        let prefix = octets[0] << 16 | octets[1] << 8 | octets[2]
        return prefix == (192 << 16 | 0 << 8 | 2) || prefix == (198 << 16 | 51 << 8 | 100) || prefix == (203 << 16 | 0 << 8 | 113)
            || octets[0] == 127 || octets == [0, 0, 0, 0] || octets == [255, 255, 255, 255]
    }

    func ipv6(_ scanner: TextScanner) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        let hex: (UInt8) -> Bool = { TextScanner.isDigit($0) || (0x61...0x66).contains($0 | 0x20) }
        var found: [(type: String, range: Range<Int>)] = []
        var done = 0
        // Every address has a colon: the candidate is the run of hex digits, colons and dots around one.
        for colon in scanner.landmarks.colons where colon >= done {
            var index = colon
            while index > 0, hex(bytes[index - 1]) || bytes[index - 1] == 0x3A || bytes[index - 1] == 0x2E { index -= 1 }
            while index < colon, bytes[index] == 0x2E { index += 1 }
            var end = scanner.run(from: colon) { hex($0) || $0 == 0x3A || $0 == 0x2E }
            while end > index, bytes[end - 1] == 0x2E { end -= 1 }
            done = end
            if index > 0, TextScanner.isAlnum(bytes[index - 1]) || bytes[index - 1] == 0x5F { continue }
            let candidate = bytes[index..<end]
            let colons = candidate.count { $0 == 0x3A }
            guard colons >= 2, candidate.count >= 6, candidate.count <= 45, candidate.contains(where: TextScanner.isDigit) else { continue }
            if end < bytes.count, TextScanner.isAlnum(bytes[end]) || bytes[end] == 0x5F { continue }
            var address = in6_addr()
            let valid = (String(decoding: candidate, as: UTF8.self)).withCString { inet_pton(AF_INET6, $0, &address) } == 1
            guard valid else { continue }
            let text = String(decoding: candidate, as: UTF8.self).lowercased()
            // 2001:db8::/32 is for documentation; ::1 and :: are loopback and unspecified.
            guard !text.hasPrefix("2001:db8:"), !text.hasPrefix("2001:0db8:"), text != "::1", text != "::" else { continue }
            found.append(("ip_address", index..<end))
        }
        return found
    }
}
