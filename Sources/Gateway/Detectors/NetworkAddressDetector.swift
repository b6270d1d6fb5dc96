#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// IPv4 addresses (four octets 0–255, not part of a longer dotted number such as a version
/// string) and IPv6 addresses (validated by `inet_pton`). The documentation ranges of RFC 5737
/// and RFC 3849, loopback and the unspecified address are examples, not findings.
struct NetworkAddressDetector {
    static let versionLabels = IdentifierDetector.labels(["version", "v.", "ver ", "release", "build"])

    func scan(_ scanner: TextScanner) -> [(type: String, range: Range<Int>)] {
        ipv4(scanner) + ipv6(scanner)
    }

    func ipv4(_ scanner: TextScanner) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        var index = 0
        while index < bytes.count {
            guard TextScanner.isDigit(bytes[index]), index == 0 || !(TextScanner.isAlnum(bytes[index - 1]) || bytes[index - 1] == 0x2E) else {
                index += 1
                continue
            }
            var octets: [Int] = []
            var cursor = index
            while octets.count < 4 {
                let end = scanner.run(from: cursor, while: TextScanner.isDigit)
                guard end > cursor, end - cursor <= 3 else { break }
                let value = bytes[cursor..<end].reduce(0) { $0 * 10 + Int($1 - 0x30) }
                guard value <= 255, end - cursor == 1 || bytes[cursor] != 0x30 else { break }
                octets.append(value)
                cursor = end
                guard octets.count < 4 else { break }
                guard cursor + 1 < bytes.count, bytes[cursor] == 0x2E, TextScanner.isDigit(bytes[cursor + 1]) else { break }
                cursor += 1
            }
            defer { index = max(index + 1, cursor) }
            guard octets.count == 4 else { continue }
            // Not the start of a longer dotted number (1.2.3.4.5) and not glued to a word.
            if cursor < bytes.count {
                let next = bytes[cursor]
                if TextScanner.isAlnum(next) || (next == 0x2E && cursor + 1 < bytes.count && TextScanner.isDigit(bytes[cursor + 1])) { continue }
            }
            guard !Self.isExample(octets), !scanner.labelled(before: index, by: Self.versionLabels, within: 12) else { continue }
            found.append(("ip_address", index..<cursor))
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
        var index = 0
        while index < bytes.count {
            // Candidates start at a hex digit or `::` that does not continue a word.
            guard hex(bytes[index]) || bytes[index] == 0x3A, index == 0 || !(TextScanner.isAlnum(bytes[index - 1]) || bytes[index - 1] == 0x3A || bytes[index - 1] == 0x5F)
            else {
                index += 1
                continue
            }
            var end = scanner.run(from: index) { hex($0) || $0 == 0x3A || $0 == 0x2E }
            while end > index, bytes[end - 1] == 0x2E { end -= 1 }
            defer { index = max(index + 1, end) }
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
