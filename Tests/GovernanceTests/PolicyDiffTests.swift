import Foundation
import Testing

@testable import Governance

/// `policy verify`'s comparison: every kind of rule, named by its path in `policy.yaml`.
@Suite struct PolicyDiffTests {
    @Test func namesEachChangedRuleByItsPathAndListItemsOneByOne() throws {
        let old = try PolicyReader.parse(yaml: PolicyTests.sample, file: "old.yaml")
        let edited = PolicyTests.sample
            .replacingOccurrences(of: "name: acme", with: "name: acme-2")
            .replacingOccurrences(of: "  email: flag\n", with: "  email: block\n  phone: flag\n")
            .replacingOccurrences(of: "audit_content: none", with: "audit_content: redacted")
            .replacingOccurrences(of: "domains: [pastebin.com]", with: "domains: [pastebin.com, transfer.sh]")
            .replacingOccurrences(of: "per_team: {tokens_per_day: 1000000}", with: "per_team: {tokens_per_day: 2000000}")
            .replacingOccurrences(of: "models: {allow: [\"llama-*\"]}", with: "models: {allow: [\"qwen-*\"]}")
            .replacingOccurrences(of: "\n    quotas: {requests_per_minute: 5}", with: "")
        let new = try PolicyReader.parse(yaml: edited, file: "new.yaml")
        #expect(
            PolicyDiff(from: old, to: new).lines == [
                "~ actions.email: flag -> block",
                "+ actions.phone: flag",
                "~ audit_content: none -> redacted",
                "+ exfiltration.domains: transfer.sh",
                "- keys.tpk_ci.quotas.requests_per_minute: 5",
                "~ name: acme -> acme-2",
                "~ quotas.per_team.tokens_per_day: 1000000 -> 2000000",
                "- teams.research.models.allow: llama-*",
                "+ teams.research.models.allow: qwen-*",
            ]
        )
        #expect(PolicyDiff(from: new, to: new).changes.isEmpty)
        #expect(PolicyDiff(from: old, to: old).changes.isEmpty)
        // A document that differs only in comments and layout has another digest, and no change.
        let reformatted = try PolicyReader.parse(yaml: "# reviewed\n" + PolicyTests.sample, file: "same.yaml")
        #expect(reformatted.digest != old.digest && reformatted.digest.count == 64)
        #expect(PolicyDiff(from: old, to: reformatted).changes.isEmpty)
    }
}
