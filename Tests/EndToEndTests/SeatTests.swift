import Access
import Foundation
import Gateway
import JSONWire
import LocalLLM
import Testing

/// Seats mean people served: after the grace period that follows a license with fewer seats
/// than users, the users beyond the seats (the latest to get a key) are refused in each wire
/// format's own error, naming the seats; the others go on being served.
@Suite struct SeatTests {
    @Test func usersBeyondTheSeatsAreRefusedAfterTheGracePeriod() async throws {
        try await GatewayHarness.with(mocks: 1) { harness in
            let keys = harness.runtime.keys
            let (_, bob) = try keys.create(user: "bob", team: "eng", now: Date().addingTimeInterval(60))
            let chat = #"{"model": "echo", "messages": [{"role": "user", "content": "hi"}]}"#
            let anthropic = #"{"model": "echo", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}"#
            // One seat, grace still running: both served.
            harness.runtime.licenseGate.set(.init(seats: 1, seatGraceEnds: Date().addingTimeInterval(3600)))
            #expect(try await harness.post("/v1/chat/completions", chat, key: bob).status == 200)
            // Grace over: alice (first key) is served, bob is refused, in both formats.
            harness.runtime.licenseGate.set(.init(seats: 1, seatGraceEnds: Date().addingTimeInterval(-1)))
            #expect(try await harness.post("/v1/chat/completions", chat).status == 200)
            let refused = try await harness.post("/v1/chat/completions", chat, key: bob)
            #expect(refused.status == 403)
            #expect(refused.json?["error"]?["code"]?.stringValue == "license_seat_unavailable")
            #expect(refused.json?["error"]?["message"]?.stringValue?.contains("covers 1 seat") == true)
            let message = try await harness.post("/v1/messages", anthropic, key: bob)
            #expect(message.status == 403 && message.json?["error"]?["type"]?.stringValue == "permission_error")
            // Revoking alice's key frees the seat for bob at once.
            let alice = try keys.list().first { $0.user == "alice" }!
            _ = try keys.revoke(id: alice.id)
            #expect(try await harness.post("/v1/chat/completions", chat, key: bob).status == 200)
        }
    }
}
