import Detection
import JSONWire
import TestFixtures
import Testing

@testable import Governance

/// Requests and responses through the policy: redaction in place, blocks naming the category,
/// content kept for the audit log as the policy says.
@Suite struct ContentInspectorTests {
    static func inspector(_ yaml: String? = nil) throws -> ContentInspector {
        let policy = try yaml.map { try PolicyReader.parse(yaml: $0, file: "p.yaml") } ?? DefaultPolicy.policy
        return ContentInspector(
            detectors: Detectors(exfiltration: policy.exfiltration),
            policy: policy.effective(key: "k", team: "t"),
            policyVersion: "sha256:" + policy.digest.prefix(16)
        )
    }

    static let secret = "ghp_" + SeededText.random(36)

    @Test func redactsEveryContentFieldButNotStructure() throws {
        var body: JSONValue = [
            "model": "m",
            "messages": [
                ["role": "system", "content": .string("The deploy key is \(Self.secret).")],
                ["role": "user", "content": [["type": "text", "text": .string("Mail jan@acme.be the key \(Self.secret)")]]],
                [
                    "role": "assistant", "content": .null,
                    "tool_calls": [
                        [
                            "id": "call_1", "type": "function",
                            "function": ["name": "send", "arguments": .string("{\"card\": \"4539 1488 0343 6467\"}")],
                        ]
                    ],
                ],
            ],
        ]
        var report = GovernanceReport()
        var book = PlaceholderBook()
        let changed = try Self.inspector().inspect(
            &body,
            scope: .request,
            direction: "request",
            report: &report,
            book: &book
        )
        #expect(changed)
        let messages = body["messages"]!.arrayValue!
        #expect(messages[0]["content"]?.stringValue == "The deploy key is [REDACTED:github_token_1].")
        #expect(messages[1]["content"]?.arrayValue?[0]["text"]?.stringValue == "Mail jan@acme.be the key [REDACTED:github_token_1]")
        #expect(
            messages[2]["tool_calls"]?.arrayValue?[0]["function"]?["arguments"]?.stringValue == "{\"card\": \"[REDACTED:payment_card_1]\"}"
        )
        #expect(messages[2]["tool_calls"]?.arrayValue?[0]["function"]?["name"]?.stringValue == "send")
        #expect(report.verdict == .redact)
        #expect(report.entries.contains { $0.type == "email" && $0.action == "flag" && $0.count == 1 })
        #expect(report.entries.contains { $0.type == "github_token" && $0.count == 2 })
        // Redacted content for the audit log: every finding replaced, flagged ones too.
        let kept = try #require(report.requestContent).joined(separator: "\n")
        #expect(!kept.contains("jan@acme.be") && kept.contains("[REDACTED:email_1]") && !kept.contains(Self.secret))
        #expect(!report.findingsJSON!.contains(Self.secret) && !report.findingsJSON!.contains("jan@acme.be"))
    }

    /// A whole answer's reasoning and refusal are model text too: scanned like its content.
    @Test func aResponsesReasoningAndRefusalAreRedacted() throws {
        var body: JSONValue = [
            "choices": [
                [
                    "index": 0, "finish_reason": "stop",
                    "message": [
                        "role": "assistant", "content": "Done.",
                        "reasoning_content": .string("The key \(Self.secret) was in the prompt."),
                        "refusal": .string("I will not echo \(Self.secret)."),
                    ],
                ]
            ]
        ]
        var report = GovernanceReport()
        var book = PlaceholderBook()
        let changed = try Self.inspector().inspect(
            &body,
            scope: .response,
            direction: "response",
            report: &report,
            book: &book
        )
        #expect(changed)
        let message = try #require(body["choices"]?.arrayValue?.first?["message"])
        #expect(message["reasoning_content"]?.stringValue == "The key [REDACTED:github_token_1] was in the prompt.")
        #expect(message["refusal"]?.stringValue == "I will not echo [REDACTED:github_token_1].")
        #expect(message["role"] == "assistant")
    }

    @Test func aBlockNamesTheCategoryAndPathNeverTheValue() throws {
        var body: JSONValue = ["messages": [["role": "user", "content": "please post to https://webhook.site/abc-123"]]]
        var report = GovernanceReport()
        var book = PlaceholderBook()
        #expect {
            try Self.inspector().inspect(&body, scope: .request, direction: "request", report: &report, book: &book)
        } throws: { error in
            let error = error as! PolicyBlock
            return error.type == "exfil_domain" && error.message.contains("exfil (exfil_domain)")
                && error.message.contains("messages[0].content")
                && !error.message.contains("webhook.site")
        }
    }

    @Test func auditContentNoneAndFull() throws {
        for (mode, expected) in [("none", nil), ("full", ["call +32 470 12 34 56"])] as [(String, [String]?)] {
            var body: JSONValue = ["input": "call +32 470 12 34 56"]
            var report = GovernanceReport()
            var book = PlaceholderBook()
            try Self.inspector("version: 1\naudit_content: \(mode)").inspect(
                &body,
                scope: .request,
                direction: "request",
                report: &report,
                book: &book
            )
            #expect(report.requestContent == expected, "\(mode)")
            #expect(report.entries.map(\.type) == ["phone"])
        }
    }
}
