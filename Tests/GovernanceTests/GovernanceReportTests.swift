import Detection
import JSONWire
import Testing

@testable import Governance

/// The audit record's `detail` column: the kept content as JSON, escapes included.
@Suite struct GovernanceReportTests {
    @Test func keptContentIsValidJSON() throws {
        var report = GovernanceReport()
        #expect(report.contentJSON == nil)
        report.requestContent = ["plain", "quote \" backslash \\ tab \t line\n bell \u{07} é ✓", ""]
        report.responseContent = "answer"
        let parsed = try JSONValue.parse(try #require(report.contentJSON))
        #expect(parsed["request"] == .array(report.requestContent!.map(JSONValue.string)))
        #expect(parsed["response"] == "answer")
        report.requestContent = nil
        #expect(report.contentJSON == #"{"response":"answer"}"#)
    }

    @Test func findingsAreCountedByDirectionTypeAndAction() throws {
        var report = GovernanceReport()
        #expect(report.findingsJSON == nil)
        let email = Finding(type: "email", category: .pii, start: 0, end: 5)
        let token = Finding(type: "github_token", category: .secret, start: 0, end: 5)
        report.note(token, action: .redact, direction: "response")
        report.note(email, action: .flag, direction: "request")
        report.note(email, action: .flag, direction: "request")
        let parsed = try JSONValue.parse(try #require(report.findingsJSON))
        #expect(
            parsed == [
                ["direction": "request", "type": "email", "category": "pii", "action": "flag", "count": 2],
                ["direction": "response", "type": "github_token", "category": "secret", "action": "redact", "count": 1],
            ]
        )
        #expect(report.verdict == .redact)
    }
}
