package import Detection
package import JSONWire

/// Applies the caller's policy to the content of a request or a whole (non-streamed) response:
/// finds, decides per finding, redacts in place with typed placeholders, and refuses on a
/// `block` with an error naming the category and type, never the value.
package struct ContentInspector: Sendable {
    package let detectors: Detectors
    package let policy: EffectivePolicy
    /// The version of the policy in force when the request was admitted (``PolicyStore/Active/version``).
    package let policyVersion: String

    package init(detectors: Detectors, policy: EffectivePolicy, policyVersion: String) {
        self.detectors = detectors
        self.policy = policy
        self.policyVersion = policyVersion
    }

    /// Inspects and rewrites `body` (what `scope` reads, see ``ContentFields``); notes findings
    /// in `report` and keeps the content the policy allows. `scanTime` grows by the time the
    /// detectors took (the rest is the policy's: decisions, redaction, content capture). Throws a
    /// ``PolicyBlock`` on a `block`; returns whether any text was rewritten.
    @discardableResult
    package func inspect(
        _ body: inout JSONValue,
        scope: ContentFields.Scope,
        direction: String,
        report: inout GovernanceReport,
        book: inout PlaceholderBook,
        scanTime: inout Duration
    ) throws(PolicyBlock) -> Bool {
        report.evaluated = true
        let segments = ContentFields.segments(body, scope: scope)
        let start = ContinuousClock.now
        let located = segments.isEmpty ? [] : DocumentScan.scan(segments, detectors: detectors)
        scanTime += .now - start
        var blocked: (finding: Finding, segment: Int)?
        var found = [[Finding]](repeating: [], count: segments.count)
        var redact = [[Finding]](repeating: [], count: segments.count)
        for item in located {
            let action = policy.action(for: item.finding)
            report.note(item.finding, action: action, direction: direction)
            if action == .block, blocked == nil { blocked = (item.finding, item.pieces[0].segment) }
            for (segment, range) in item.pieces {
                var piece = item.finding
                piece.utf8Range = range
                found[segment].append(piece)
                if action == .redact { redact[segment].append(piece) }
            }
        }
        var kept: [String] = []
        var replacements: [Int: String] = [:]
        for (index, segment) in segments.enumerated() {
            if segment.kept, segment.reading != .key {
                switch policy.auditContent {
                case .none: break
                case .redacted: kept.append(Redactor.apply(found[index], to: segment.text, book: &book))
                case .full: kept.append(segment.text)
                }
            }
            if !redact[index].isEmpty { replacements[index] = Redactor.apply(redact[index], to: segment.text, book: &book) }
        }
        if policy.auditContent != .none {
            if direction == "request" { report.requestContent = kept } else { report.responseContent = kept.joined(separator: "\n") }
        }
        if let (finding, segment) = blocked {
            // A key that carries a finding is not repeated in the error either.
            let hidden = Set(segments.indices.filter { segments[$0].reading == .key && !found[$0].isEmpty }.map { segments[$0].text })
            throw PolicyBlock(finding, direction: direction, path: segments[segment].path.rendered(hiding: hidden))
        }
        ContentFields.replace(&body, scope: scope, replacements)
        return !replacements.isEmpty
    }

    /// The same, when the detectors' share of the time does not matter.
    @discardableResult
    package func inspect(
        _ body: inout JSONValue,
        scope: ContentFields.Scope,
        direction: String,
        report: inout GovernanceReport,
        book: inout PlaceholderBook
    ) throws(PolicyBlock) -> Bool {
        var scanTime = Duration.zero
        return try inspect(&body, scope: scope, direction: direction, report: &report, book: &book, scanTime: &scanTime)
    }
}
