import Detection
internal import TextViews

/// The output filter for one streamed text (a message's content, one tool call's arguments):
/// text goes out only after it was scanned, with a bounded hold-back so that a secret split
/// across chunks is still seen whole.
///
/// What is held back: the last `window` bytes (32 by default: a written date, a label and its
/// value), the whole trailing run of non-space ASCII characters (a token still arriving), a
/// trailing number written in groups (`4111 1111 …`, `BE68 5390 …`, `+32 470 …`), an
/// unterminated `-----BEGIN … PRIVATE KEY` block, and any finding that crosses the cut. The
/// hold never exceeds `maxHold` bytes: past that the text is scanned as it stands and sent.
/// The last 64 bytes already sent stay as context for the next scan (a label before a value).
package struct StreamFilter: Sendable {
    package enum Output: Equatable, Sendable {
        /// Text to send now (possibly empty), redacted where the policy says so.
        case emit(String)
        /// A finding the policy blocks: end the stream with an error.
        case block(PolicyBlock)
    }

    let inspector: ContentInspector
    let window: Int
    let maxHold: Int
    private var pending: [UInt8] = []
    private var context: [UInt8] = []
    private static let contextBytes = 64
    /// The longest token held whole (JWTs run to a few kB).
    private static let maxWord = 8 << 10
    /// The longest grouped number held whole (an IBAN in groups of four is 42 characters).
    private static let maxNumber = 64
    private static let keyBlockStart = Array("-----BEGIN ".utf8)
    private static let keyBlockEnd = Array("-----END ".utf8)

    package init(inspector: ContentInspector, window: Int = 32, maxHold: Int = 64 << 10) {
        self.inspector = inspector
        self.window = window
        self.maxHold = maxHold
    }

    /// Whether text is waiting to be scanned and sent.
    package var isHolding: Bool { !pending.isEmpty }

    package mutating func feed(_ text: String, report: inout GovernanceReport, book: inout PlaceholderBook) -> Output {
        pending.append(contentsOf: text.utf8)
        guard pending.count > window else { return .emit("") }
        return release(final: pending.count > maxHold, report: &report, book: &book)
    }

    /// Scans and sends everything still held (the stream's text ended).
    package mutating func finish(report: inout GovernanceReport, book: inout PlaceholderBook) -> Output {
        guard !pending.isEmpty else { return .emit("") }
        return release(final: true, report: &report, book: &book)
    }

    private mutating func release(final: Bool, report: inout GovernanceReport, book: inout PlaceholderBook) -> Output {
        let scanned = context + pending
        let offset = context.count
        let findings = inspector.detectors.scan(String(decoding: scanned, as: UTF8.self)).compactMap { finding -> Finding? in
            // Findings in the context were handled when that text went out; one that reaches
            // into the new text (it grew past what was held) is acted on in the new text.
            guard finding.utf8Range.upperBound > offset else { return nil }
            var shifted = finding
            shifted.utf8Range = max(finding.utf8Range.lowerBound, offset) - offset..<finding.utf8Range.upperBound - offset
            return shifted
        }
        var cut = final ? pending.count : holdCut()
        // Never cut through a finding: hold it whole.
        while let crossing = findings.first(where: { $0.utf8Range.lowerBound < cut && $0.utf8Range.upperBound > cut }) {
            cut = crossing.utf8Range.lowerBound
        }
        while cut > 0, cut < pending.count, pending[cut] & 0xC0 == 0x80 { cut -= 1 }
        guard cut > 0 else { return .emit("") }
        let released = findings.filter { $0.utf8Range.upperBound <= cut }
        var redact: [Finding] = []
        for finding in released {
            let action = inspector.policy.action(for: finding)
            report.note(finding, action: action, direction: "response")
            if action == .block { return .block(PolicyBlock(finding, direction: "response", path: nil)) }
            if action == .redact { redact.append(finding) }
        }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        context = Array((context + pending[..<cut]).suffix(Self.contextBytes))
        pending.removeFirst(cut)
        // The audit log's copy: every finding replaced (flagged ones too), or the text as it was.
        switch inspector.policy.auditContent {
        case .none: break
        case .redacted: report.keepResponse(Redactor.apply(released, to: text, book: &book))
        case .full: report.keepResponse(text)
        }
        return .emit(Redactor.apply(redact, to: text, book: &book))
    }

    /// Where the text that is surely complete ends.
    private func holdCut() -> Int {
        var cut = pending.count - window
        // The trailing run of non-space characters may be a token still arriving.
        // (Secrets are ASCII: text in scripts without spaces is not held.)
        var wordStart = pending.count
        while wordStart > 0, pending.count - wordStart < Self.maxWord, let previous = tokenCharacterStart(before: wordStart) {
            wordStart = previous
        }
        cut = min(cut, wordStart)
        // Numbers written in groups (cards, IBANs, phones, national numbers) may still be growing.
        var groupStart = pending.count
        var sawDigit = false
        while groupStart > 0, pending.count - groupStart < Self.maxNumber, Self.isGroupByte(pending[groupStart - 1]) {
            groupStart -= 1
            if TextScanner.isDigit(pending[groupStart]) { sawDigit = true }
        }
        if sawDigit { cut = min(cut, groupStart) }
        if let begin = lastIndex(of: Self.keyBlockStart), lastIndex(of: Self.keyBlockEnd).map({ $0 < begin }) ?? true {
            cut = min(cut, begin)
        }
        return max(cut, 0)
    }

    /// Where the character before `end` starts, when it can be part of a token as the detectors
    /// read it: ASCII other than a space, or a character the normalized view removes or folds to
    /// one (a zero-width space inside a key, a full-width letter).
    private func tokenCharacterStart(before end: Int) -> Int? {
        let last = pending[end - 1]
        if last < 0x80 { return last > 0x20 ? end - 1 : nil }
        var start = end - 1
        while start > 0, pending[start] & 0xC0 == 0x80, end - start < 4 { start -= 1 }
        guard let scalar = String(decoding: pending[start..<end], as: UTF8.self).unicodeScalars.first, !scalar.isASCII else { return nil }
        guard let folded = NormalizedText.fold(scalar) else { return start }
        return folded.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x80 }) ? start : nil
    }

    /// Digits, capitals and the separators people write numbers with.
    private static func isGroupByte(_ byte: UInt8) -> Bool {
        TextScanner.isDigit(byte) || TextScanner.isUpper(byte) || byte == 0x20 || byte == 0x2D || byte == 0x2E || byte == 0x2F
            || byte == 0x28 || byte == 0x29 || byte == 0x2B
    }

    private func lastIndex(of needle: [UInt8]) -> Int? {
        guard pending.count >= needle.count else { return nil }
        var index = pending.count - needle.count
        while index >= 0 {
            if pending[index] == needle[0], pending[index..<index + needle.count].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }

}
