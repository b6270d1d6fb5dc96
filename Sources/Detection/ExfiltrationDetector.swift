/// Exfiltration destinations and markers from the policy: host names on the blocklist (a
/// subdomain matches; the finding covers the whole URL when the host is in one) and keywords
/// (ASCII case-insensitive, on word boundaries). One pass over the text's host-name runs, so
/// the cost does not grow with the size of the blocklist.
struct ExfiltrationDetector {
    let domains: Set<[UInt8]>
    /// The last label of every listed domain (`com`, `st`, `site`): a host whose last label is
    /// none of these is on no list, and is dismissed without building its name.
    let topLabels: Set<String>
    let keywords: [[UInt8]]

    init(_ rules: ExfiltrationRules) {
        domains = Set(rules.domains.map { Array($0.lowercased().utf8) })
        topLabels = Set(rules.domains.map { String($0.lowercased().split(separator: ".").last ?? "") })
        keywords = rules.keywords.map { Array($0.lowercased().utf8) }
    }

    var isEmpty: Bool { domains.isEmpty && keywords.isEmpty }

    func scan(_ scanner: TextScanner) -> [(type: String, range: Range<Int>)] {
        var found: [(type: String, range: Range<Int>)] = []
        if !domains.isEmpty { found += hosts(scanner) }
        for keyword in keywords { found += occurrences(of: keyword, in: scanner).map { ("exfil_keyword", $0) } }
        return found
    }

    /// Host-name runs around each dot (a landmark), each looked up once.
    private func hosts(_ scanner: TextScanner) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        let hostChar: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x2E || $0 == 0x2D }
        var found: [(type: String, range: Range<Int>)] = []
        var done = 0
        // A dot not followed by a letter or digit ends a sentence or a host (whose inner dots came first).
        for dot in scanner.landmarks.dots where dot >= done && dot + 1 < bytes.count && TextScanner.isAlnum(bytes[dot + 1]) {
            var start = dot
            while start > 0, hostChar(bytes[start - 1]) { start -= 1 }
            var end = scanner.run(from: dot, while: hostChar)
            done = end
            while start < end, !TextScanner.isAlnum(bytes[start]) { start += 1 }
            while end > start, bytes[end - 1] == 0x2E || bytes[end - 1] == 0x2D { end -= 1 }
            // A host name: a dot inside, and a top-level label of letters.
            guard let lastDot = bytes[start..<end].lastIndex(of: 0x2E), end - lastDot > 2,
                bytes[lastDot + 1..<end].allSatisfy({ TextScanner.isAlnum($0) && !TextScanner.isDigit($0) })
            else { continue }
            let topLabel = String(unsafeUninitializedCapacity: end - lastDot - 1) { buffer in
                for (index, byte) in bytes[lastDot + 1..<end].enumerated() { buffer[index] = TextScanner.fold(byte, true) }
                return end - lastDot - 1
            }
            guard topLabels.contains(topLabel) else { continue }
            let host = bytes[start..<end].map { TextScanner.fold($0, true) }
            guard matches(host) else { continue }
            found.append(("exfil_domain", urlRange(around: start..<end, scanner)))
        }
        return found
    }

    /// The host or one of its parent domains is on the list.
    private func matches(_ host: [UInt8]) -> Bool {
        var start = 0
        while start < host.count {
            if domains.contains(Array(host[start...])) { return true }
            guard let dot = host[start...].firstIndex(of: 0x2E) else { return false }
            start = dot + 1
        }
        return false
    }

    /// The whole URL (scheme to the end of its path) when the host sits in one.
    private func urlRange(around host: Range<Int>, _ scanner: TextScanner) -> Range<Int> {
        let bytes = scanner.bytes
        var start = host.lowerBound
        if start >= 3, bytes[start - 3..<start].elementsEqual([0x3A, 0x2F, 0x2F]) {
            var scheme = start - 3
            while scheme > 0, TextScanner.isAlnum(bytes[scheme - 1]) { scheme -= 1 }
            start = scheme
        }
        var end = host.upperBound
        if end < bytes.count, bytes[end] == 0x2F || bytes[end] == 0x3A {
            end = scanner.run(from: end) { $0 > 0x20 && $0 != 0x22 && $0 != 0x27 && $0 != 0x3C && $0 != 0x3E && $0 != 0x29 && $0 != 0x5D }
            while end > host.upperBound, [0x2E, 0x2C, 0x3B, 0x21, 0x3F].contains(bytes[end - 1]) { end -= 1 }
        }
        return start..<end
    }

    private func occurrences(of keyword: [UInt8], in scanner: TextScanner) -> [Range<Int>] {
        let bytes = scanner.bytes
        guard let first = keyword.first, bytes.count >= keyword.count else { return [] }
        var found: [Range<Int>] = []
        var index = 0
        let last = bytes.count - keyword.count
        while index <= last {
            if TextScanner.fold(bytes[index], true) == first, !scanner.followsWord(index) {
                var offset = 1
                while offset < keyword.count && TextScanner.fold(bytes[index + offset], true) == keyword[offset] { offset += 1 }
                let end = index + keyword.count
                if offset == keyword.count, end == bytes.count || !(TextScanner.isAlnum(bytes[end]) || bytes[end] == 0x5F) {
                    found.append(index..<end)
                    index = end
                    continue
                }
            }
            index += 1
        }
        return found
    }
}
