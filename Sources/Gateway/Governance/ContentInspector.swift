package import LocalLLM

/// Applies the caller's policy to the content of a request or a whole (non-streamed) response:
/// finds, decides per finding, redacts in place with typed placeholders, and refuses on a
/// `block` with an error naming the category and type, never the value.
package struct ContentInspector: Sendable {
    package let detectors: Detectors
    package let policy: EffectivePolicy

    package init(detectors: Detectors, policy: EffectivePolicy) {
        self.detectors = detectors
        self.policy = policy
    }

    /// Inspects and rewrites `body` (its `roots`); notes findings in `report` and keeps the
    /// content the policy allows. `scanTime` grows by the time the detectors took (the rest is
    /// the policy's: decisions, redaction, content capture). Throws a `.policyBlocked` error on a `block`; returns whether
    /// any text was rewritten.
    @discardableResult
    package func inspect(
        _ body: inout JSONValue,
        roots: [String],
        direction: String,
        report: inout GovernanceReport,
        book: inout PlaceholderBook,
        scanTime: inout Duration
    ) throws(GatewayError) -> Bool {
        report.evaluated = true
        var rewritten = false
        var kept: [String] = []
        var blocked: (Finding, String)?
        var noted = report
        var names = book
        var scanning = Duration.zero
        defer { scanTime += scanning }
        ContentFields.rewrite(&body, roots: roots) { text, path in
            let start = ContinuousClock.now
            let findings = detectors.scan(text)
            scanning += .now - start
            if policy.auditContent == .full { kept.append(text) }
            guard !findings.isEmpty else {
                if policy.auditContent == .redacted { kept.append(text) }
                return nil
            }
            var redact: [Finding] = []
            for finding in findings {
                let action = policy.action(for: finding)
                noted.note(finding, action: action, direction: direction)
                if action == .block, blocked == nil { blocked = (finding, path.description) }
                if action == .redact { redact.append(finding) }
            }
            if policy.auditContent == .redacted { kept.append(Redactor.apply(findings, to: text, book: &names)) }
            guard !redact.isEmpty else { return nil }
            rewritten = true
            return Redactor.apply(redact, to: text, book: &names)
        }
        report = noted
        book = names
        if policy.auditContent != .none {
            if direction == "request" { report.requestContent = kept } else { report.responseContent = kept.joined(separator: "\n") }
        }
        if let (finding, path) = blocked {
            throw Self.blockError(finding, direction: direction, path: path)
        }
        return rewritten
    }

    /// The same, when the detectors' share of the time does not matter.
    @discardableResult
    package func inspect(
        _ body: inout JSONValue,
        roots: [String],
        direction: String,
        report: inout GovernanceReport,
        book: inout PlaceholderBook
    ) throws(GatewayError) -> Bool {
        var scanTime = Duration.zero
        return try inspect(&body, roots: roots, direction: direction, report: &report, book: &book, scanTime: &scanTime)
    }

    static func blockError(_ finding: Finding, direction: String, path: String?) -> GatewayError {
        let what = "\(finding.category.rawValue) (\(finding.type))"
        let message =
            direction == "request"
            ? "The request was blocked by policy: it contains \(what)\(path.map { " in \($0)" } ?? "")."
            : "The response was blocked by policy: it contains \(what)."
        return GatewayError(.policyBlocked, message, param: direction == "request" ? path : nil)
    }
}
