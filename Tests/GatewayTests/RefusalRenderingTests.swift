import Detection
import Governance
import Testing

@testable import Gateway

/// Governance says what it refuses in its own terms; the gateway renders it: a block is a 403
/// naming category, type and (for a request) the field, a quota refusal a 429 with the wait.
@Suite struct RefusalRenderingTests {
    static let finding = Finding(type: "exfil_domain", category: .exfil, start: 0, end: 11)

    @Test func aRequestBlockNamesTheFieldAndNotTheValue() {
        let error = GatewayError(PolicyBlock(Self.finding, direction: "request", path: "messages[0].content"))
        #expect(error.status == 403 && error.kind == .policyBlocked)
        #expect(error.param == "messages[0].content")
        #expect(error.message == "The request was blocked by policy: it contains exfil (exfil_domain) in messages[0].content.")
    }

    @Test func aResponseBlockHasNoField() {
        let error = GatewayError(PolicyBlock(Self.finding, direction: "response", path: "choices[0]"))
        #expect(error.param == nil)
        #expect(error.message == "The response was blocked by policy: it contains exfil (exfil_domain).")
    }

    @Test func quotaRefusalsCarryTheirWait() {
        let later = GatewayError(QuotaExceeded(message: "Rate limit reached for key k.", retryAfter: 30))
        #expect(later.status == 429 && later.retryAfter == 30)
        #expect(GatewayError(QuotaExceeded(message: "too big", retryAfter: nil)).retryAfter == nil)
    }
}
