import Foundation
import Testing

@testable import Access

@Suite struct APIKeyStoreTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tappass-keys-\(UUID().uuidString)").path

    @Test func createdKeyAuthenticatesAndIsStoredOnlyAsAHash() throws {
        let store = try APIKeyStore(stateDirectory: directory)
        let (record, key) = try store.create(user: "alice", team: "eng", models: ["gpt-*"])
        #expect(key.hasPrefix("tp_\(record.id)_"))
        #expect(try store.authenticate(key).get() == Principal(keyID: record.id, user: "alice", team: "eng", allowedModels: ["gpt-*"]))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/keys.sqlite"))
        let secret = String(key.split(separator: "_").last!)
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
    }

    @Test func refusals() throws {
        let store = try APIKeyStore(stateDirectory: directory)
        let (record, key) = try store.create(user: "bob", team: "eng")
        let (_, expiring) = try store.create(user: "carol", team: "eng", expiresAt: Date().addingTimeInterval(60))
        #expect(store.authenticate(nil) == .failure(.missing))
        #expect(store.authenticate("") == .failure(.missing))
        #expect(store.authenticate("sk-not-ours") == .failure(.invalid))
        let tampered = String(key.dropLast()) + (key.hasSuffix("X") ? "Y" : "X")
        #expect(store.authenticate(tampered) == .failure(.invalid))
        #expect(store.authenticate("tp_unknownid_secret") == .failure(.invalid))
        #expect(store.authenticate(expiring, now: Date().addingTimeInterval(120)) == .failure(.expired))
        _ = try store.revoke(id: record.id)
        #expect(store.authenticate(key) == .failure(.revoked))
        #expect(try store.revoke(id: "nope") == nil)
    }

    @Test func aSeatLimitCountsUsersWithActiveKeys() throws {
        let store = try APIKeyStore(stateDirectory: directory)
        let now = Date()
        _ = try store.create(user: "alice", team: "eng", seatLimit: 2, now: now)
        let (bob, _) = try store.create(user: "bob", team: "eng", seatLimit: 2, now: now)
        // A second key for a seated user takes no new seat; a third user does not fit.
        _ = try store.create(user: "alice", team: "ops", seatLimit: 2, now: now)
        #expect(throws: SeatLimitReached(seats: 2, user: "carol")) { try store.create(user: "carol", team: "eng", seatLimit: 2, now: now) }
        #expect(try store.list().map(\.user).sorted() == ["alice", "alice", "bob"])
        // A revoked or expired key frees its user's seat.
        _ = try store.revoke(id: bob.id)
        let (carol, _) = try store.create(user: "carol", team: "eng", expiresAt: now.addingTimeInterval(60), seatLimit: 2, now: now)
        #expect(throws: SeatLimitReached.self) { try store.create(user: "dave", team: "eng", seatLimit: 2, now: now) }
        _ = try store.create(user: "dave", team: "eng", seatLimit: 2, now: now.addingTimeInterval(120))
        #expect(carol.user == "carol")
        _ = try store.create(user: "erin", team: "eng", now: now)
    }

    @Test func keysSurviveReopening() throws {
        let (_, key) = try APIKeyStore(stateDirectory: directory).create(user: "dave", team: "ops")
        let reopened = try APIKeyStore(stateDirectory: directory)
        #expect(try reopened.authenticate(key).get().user == "dave")
        #expect(try reopened.list().map(\.user) == ["dave"])
    }

    @Test func demoKeyOnlyWhenConfigured() throws {
        #expect(try APIKeyStore(stateDirectory: directory, demoKey: "tp-demo-key").authenticate("tp-demo-key").get().user == "demo")
        #expect(try APIKeyStore(stateDirectory: directory).authenticate("tp-demo-key") == .failure(.invalid))
    }
}
