import ConfigFile
import Detection
import Testing

@testable import Governance

/// Policy files: the schema, located errors, overrides per team and key, model rules.
@Suite struct PolicyTests {
    static let sample = """
        version: 1
        name: acme
        actions:
          secret: block
          pii: redact
          email: flag
        audit_content: none
        models:
          deny: ["gpt-4*"]
        quotas:
          per_key: {requests_per_minute: 60, tokens_per_minute: 10000}
          per_team: {tokens_per_day: 1000000}
        exfiltration:
          domains: [pastebin.com]
          patterns:
            - {name: ticket_id, regex: "TCK-[0-9]{6}"}
        teams:
          research:
            actions: {pii: allow}
            models: {allow: ["llama-*"]}
            audit_content: full
            quotas: {tokens_per_day: 5000}
        keys:
          tpk_ci:
            actions: {secret: flag, ticket_id: block}
            quotas: {requests_per_minute: 5}
        """

    static func finding(_ type: String, _ category: Finding.Category) -> Finding {
        Finding(type: type, category: category, start: 0, end: 1)
    }

    @Test func theDefaultPolicyParsesAndSaysWhatTheIssueSays() {
        let policy = DefaultPolicy.policy.effective(key: "tpk_x", team: "eng")
        #expect(policy.action(for: Self.finding("github_token", .secret)) == .redact)
        #expect(policy.action(for: Self.finding("payment_card", .pii)) == .redact)
        #expect(policy.action(for: Self.finding("nl_bsn", .pii)) == .redact)
        #expect(policy.action(for: Self.finding("iban", .pii)) == .redact)
        for type in ["email", "phone", "ip_address", "date_of_birth"] {
            #expect(policy.action(for: Self.finding(type, .pii)) == .flag, "\(type)")
        }
        #expect(policy.action(for: Self.finding("exfil_domain", .exfil)) == .block)
        #expect(policy.auditContent == .redacted)
        #expect(DefaultPolicy.policy.exfiltration.domains.contains("pastebin.com"))
    }

    @Test func overridesApplyKeyOverTeamOverDefaults() throws {
        let policy = try PolicyReader.parse(yaml: Self.sample, file: "policy.yaml")
        let plain = policy.effective(key: "tpk_x", team: "eng")
        #expect(plain.action(for: Self.finding("aws_access_key_id", .secret)) == .block)
        #expect(plain.action(for: Self.finding("phone", .pii)) == .redact)
        #expect(plain.action(for: Self.finding("email", .pii)) == .flag)
        #expect(plain.auditContent == PolicyAuditContent.none)
        #expect(plain.keyQuota == QuotaLimits(requestsPerMinute: 60, tokensPerMinute: 10000))
        #expect(plain.teamQuota == QuotaLimits(tokensPerDay: 1_000_000))
        #expect(!plain.permits(model: "gpt-4o") && plain.permits(model: "llama-3"))

        let research = policy.effective(key: "tpk_x", team: "research")
        // A category set for the team overrides a type set in the defaults (email: flag).
        #expect(research.action(for: Self.finding("email", .pii)) == .allow)
        #expect(research.action(for: Self.finding("phone", .pii)) == .allow)
        #expect(research.auditContent == .full)
        #expect(research.teamQuota == QuotaLimits(tokensPerDay: 5000))
        #expect(research.permits(model: "llama-3") && !research.permits(model: "mistral"))

        let ci = policy.effective(key: "tpk_ci", team: "eng")
        #expect(ci.action(for: Self.finding("jwt", .secret)) == .flag)
        #expect(ci.action(for: Self.finding("ticket_id", .exfil)) == .block)
        #expect(ci.keyQuota == QuotaLimits(requestsPerMinute: 5))
    }

    @Test func invalidPoliciesNameFileLineAndKey() {
        let cases: [(String, String, Int?)] = [
            ("name: x", "version", 1),
            ("version: 2", "schema version 1", 1),
            ("version: 1\nactions:\n  secret: shred", "actions.secret", 3),
            ("version: 1\nactions:\n  passport: block", "actions.passport", 3),
            ("version: 1\naudit_content: everything", "audit_content", 2),
            ("version: 1\nteams:\n  eng:\n    colour: red", "teams.eng.colour", 4),
            ("version: 1\nquotas:\n  per_key: {tokens_per_minute: -5}", "quotas.per_key.tokens_per_minute", 3),
            ("version: 1\nexfiltration:\n  domains: [not a domain]", "exfiltration.domains[0]", 3),
            ("version: 1\nexfiltration:\n  keywords: [\"two\\nlines\"]", "exfiltration.keywords[0]", 3),
            ("version: 1\nexfiltration:\n  patterns:\n    - {name: x, regex: \"([a-z\"}", "exfiltration.patterns[0].regex", 4),
            ("version: 1\nexfiltration:\n  patterns:\n    - {name: email, regex: \"a\"}", "exfiltration.patterns[0].name", 4),
            ("version: 1\nactions: [", "not valid YAML", nil),
        ]
        for (yaml, expected, line) in cases {
            do {
                _ = try PolicyReader.parse(yaml: yaml, file: "p.yaml")
                Issue.record("accepted: \(yaml)")
            } catch let error as ConfigError {
                #expect(error.description.hasPrefix("p.yaml"), "\(error)")
                #expect(error.description.contains(expected), "\(error)")
                if let line { #expect(error.line == line, "\(error)") }
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}

typealias PolicyAuditContent = Policy.AuditContent
