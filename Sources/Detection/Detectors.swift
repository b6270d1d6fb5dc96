internal import TextViews

/// All detectors over one text, most specific first: secrets (a token inside a URL or an
/// assignment is reported once, as the most specific thing it is), the policy's exfiltration
/// destinations and patterns, then personal data outside what was already found. Offsets are
/// in Unicode scalars. Pure and I/O-free; built once per policy.
///
/// A long text is scanned in windows of about 256 KiB that end at a line break, so each window's
/// bytes, landmarks and tokens stay in the CPU's cache while every detector reads them (one
/// pass of each detector over a text far larger than the cache ran at half the speed). No
/// built-in finding spans a line break except a private key block, and a window never ends
/// inside one; each window also sees the 64 bytes before it, for labels such as `DOB:` on the
/// line above. The policy's own patterns, which may span lines, run over the whole text.
package struct Detectors: Sendable {
    let exfiltration: ExfiltrationDetector
    let custom: CustomPatternDetector

    /// Bytes per window, before moving on to the next line break.
    static let window = 256 * 1024
    /// Bytes of the text before a window that its detectors may read.
    static let context = 64

    package init(exfiltration rules: ExfiltrationRules) {
        exfiltration = ExfiltrationDetector(rules)
        custom = CustomPatternDetector(rules.patterns)
    }

    typealias Found = [(type: String, range: Range<Int>)]

    /// The stages, in the order they claim text: a later stage's findings never overlap an
    /// earlier one's.
    enum Stage: Int, CaseIterable {
        case secrets, exfiltration, custom, emailsAndIBANs, identifiers, cards, datesOfBirth, networkAddresses

        var category: Finding.Category {
            switch self {
            case .secrets: .secret
            case .exfiltration, .custom: .exfil
            default: .pii
            }
        }
    }

    /// Every finding in `text` as a reader would see it: the detectors run over its normalized
    /// view (``NormalizedText``) and over what its encoded runs decode to (``EncodedRuns``),
    /// and each finding is mapped back to the original bytes it covers.
    package func scan(_ text: String) -> [Finding] {
        var budget = EncodedRuns.budget
        return scan(text, depth: 0, budget: &budget)
    }

    private func scan(_ text: String, depth: Int, budget: inout Int) -> [Finding] {
        let view = NormalizedText(text)
        var runs: [EncodedRuns.Run] = []
        let decode = depth < EncodedRuns.maxDepth
        var findings: [Finding]
        if view.isIdentity {
            var copy = text
            findings = copy.withUTF8 { utf8 in
                let found = scan(utf8: utf8, text: text, windowSize: Self.window, scalarOffsets: true)
                if decode { runs = EncodedRuns.runs(in: utf8, outside: found.map(\.utf8Range), budget: &budget) }
                return found
            }
        } else {
            // Offsets in the view's scalars would be thrown away: the mapping below counts the original's.
            findings = view.bytes.withUnsafeBufferPointer { utf8 in
                let found = scan(utf8: utf8, text: view.text, windowSize: Self.window, scalarOffsets: false)
                if decode { runs = EncodedRuns.runs(in: utf8, outside: found.map(\.utf8Range), budget: &budget) }
                return found
            }
        }
        findings += encodedFindings(runs, depth: depth, budget: &budget)
        guard !view.isIdentity || findings.contains(where: { $0.encoding != nil }) else { return findings }
        findings.sort { $0.utf8Range.lowerBound < $1.utf8Range.lowerBound }
        let ranges = findings.map { view.originalRange($0.utf8Range) }
        var copy = text
        let offsets = copy.withUTF8 { utf8 in
            TextScanner.scalarOffsets(ranges.flatMap { [$0.lowerBound, $0.upperBound] }, in: utf8, isASCII: false)
        }
        for index in findings.indices {
            findings[index].utf8Range = ranges[index]
            findings[index].start = offsets[2 * index]
            findings[index].end = offsets[2 * index + 1]
        }
        return findings
    }

    /// Findings inside encoded runs, each covering its whole run.
    private func encodedFindings(_ runs: [EncodedRuns.Run], depth: Int, budget: inout Int) -> [Finding] {
        var findings: [Finding] = []
        for run in runs {
            let inner = scan(run.decoded, depth: depth + 1, budget: &budget)
            var types: Set<String> = []
            for finding in inner where types.insert(finding.type).inserted {
                findings.append(
                    Finding(
                        type: finding.type,
                        category: finding.category,
                        start: run.range.lowerBound,
                        end: run.range.upperBound,
                        utf8Range: run.range,
                        encoding: run.encoding.rawValue
                    )
                )
            }
        }
        return findings
    }

    /// The window size is a parameter so tests can compare one window with many.
    func scan(_ text: String, windowSize: Int) -> [Finding] {
        var contiguous = text
        return contiguous.withUTF8 { scan(utf8: $0, text: text, windowSize: windowSize, scalarOffsets: true) }
    }

    /// The detectors over `utf8`; `text` is the same bytes as a string, built only for the
    /// policy's own patterns. Without `scalarOffsets`, a finding's `start` and `end` are bytes.
    private func scan(
        utf8: UnsafeBufferPointer<UInt8>,
        text: @autoclosure () -> String,
        windowSize: Int,
        scalarOffsets: Bool
    ) -> [Finding] {
        var stages = [Found](repeating: [], count: Stage.allCases.count)
        var isASCII = true
        for window in Self.windows(utf8, size: windowSize) {
            let start = max(0, window.lowerBound - Self.context)
            let scanner = TextScanner(Array(utf8[start..<window.upperBound]))
            isASCII = isASCII && scanner.landmarks.isASCII
            for (stage, found) in detect(scanner) {
                // What starts in the context belongs to the window before.
                for item in found where item.range.lowerBound + start >= window.lowerBound {
                    stages[stage.rawValue].append((item.type, item.range.lowerBound + start..<item.range.upperBound + start))
                }
            }
        }
        // A secret's value written again elsewhere, in any window.
        stages[Stage.secrets.rawValue] += RepeatedSecrets.occurrences(of: stages[Stage.secrets.rawValue], in: utf8)
        // Context a window may not reach: the header of a table a card-shaped number sits in.
        stages[Stage.cards.rawValue].removeAll { PaymentCardRules.isSomethingElse(at: $0.range.lowerBound, in: utf8) }
        if !custom.isEmpty { stages[Stage.custom.rawValue] = custom.scan(text()) }
        return findings(stages, utf8, isASCII: isASCII || !scalarOffsets)
    }

    /// Every detector but the policy's patterns over one window, by stage.
    private func detect(_ scanner: TextScanner) -> [(Stage, Found)] {
        let tokens = scanner.numberTokens()
        let capitals = scanner.landmarks.capitals
        let personal = PersonalDataDetector()
        // Strongest evidence first: e-mail and IBANs (mod 97 over the whole account, letters
        // included), then national identifiers and phones, then cards (a NIR can pass the Luhn
        // test by chance; a card hardly ever the NIR key).
        return [
            (.secrets, SecretDetector().scan(scanner)),
            (.exfiltration, exfiltration.isEmpty ? [] : exfiltration.scan(scanner)),
            (
                .emailsAndIBANs,
                personal.emails(scanner).map { ("email", $0) } + personal.ibans(scanner, capitals: capitals).map { ("iban", $0) }
            ),
            (.identifiers, IdentifierDetector().scan(scanner, tokens: tokens, capitals: capitals)),
            (.cards, personal.cards(tokens, scanner).map { ("payment_card", $0) }),
            (.datesOfBirth, DateOfBirthDetector().scan(scanner, tokens: tokens)),
            (.networkAddresses, NetworkAddressDetector().scan(scanner, tokens: tokens)),
        ]
    }

    /// The stages' findings, each kept only where no earlier stage (or earlier finding of its
    /// own stage) claimed the text, with scalar offsets.
    private func findings(_ stages: [Found], _ utf8: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> [Finding] {
        guard stages.contains(where: { !$0.isEmpty }) else { return [] }
        var byteFindings: [(type: String, category: Finding.Category, range: Range<Int>)] = []
        var taken = TextScanner.Coverage()
        for stage in Stage.allCases where !stages[stage.rawValue].isEmpty {
            let sorted = stages[stage.rawValue].sorted { $0.range.lowerBound < $1.range.lowerBound }
            for item in taken.takeFree(sorted, range: \.range) {
                byteFindings.append((item.type, stage.category, item.range))
            }
        }
        guard !byteFindings.isEmpty else { return [] }
        byteFindings.sort { $0.range.lowerBound < $1.range.lowerBound }
        let offsets = TextScanner.scalarOffsets(
            byteFindings.flatMap { [$0.range.lowerBound, $0.range.upperBound] },
            in: utf8,
            isASCII: isASCII
        )
        return byteFindings.enumerated().map { index, found in
            Finding(
                type: found.type,
                category: found.category,
                start: offsets[2 * index],
                end: offsets[2 * index + 1],
                utf8Range: found.range
            )
        }
    }

    /// The text cut into windows of about `size` bytes, each ending after a line break (or at
    /// the end) and never inside a `-----BEGIN … -----END` block.
    static func windows(_ utf8: UnsafeBufferPointer<UInt8>, size: Int) -> [Range<Int>] {
        guard utf8.count / 3 * 2 > size else { return [0..<utf8.count] }
        let begins = TextScanner.occurrences(of: SecretDetector.beginMarker, in: utf8)
        let ends = TextScanner.occurrences(of: SecretDetector.endMarker, in: utf8)
        var windows: [Range<Int>] = []
        var start = 0
        while start < utf8.count {
            var end = start + size
            guard end < utf8.count - size / 2 else {
                windows.append(start..<utf8.count)
                break
            }
            end = lineEnd(after: end, utf8)
            // Inside a block (its last BEGIN before the cut has no END before it): cut after the END's line.
            if let begin = begins.last(where: { $0 < end }), !ends.contains(where: { $0 > begin && $0 < end }) {
                end = ends.first { $0 > begin }.map { lineEnd(after: $0, utf8) } ?? utf8.count
            }
            windows.append(start..<end)
            start = end
        }
        return windows
    }

    /// Just past the first line break at or after `offset` (or the end of the text).
    private static func lineEnd(after offset: Int, _ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var index = offset
        while index < utf8.count, utf8[index] != 0x0A { index += 1 }
        return min(index + 1, utf8.count)
    }
}
