import Foundation
import Testing

@testable import License

@Suite struct LicenseStoreTests {
    typealias F = LicenseFixtures

    func makeStore() -> (LicenseStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("license-\(UUID().uuidString)").path
        return (LicenseStore(stateDirectory: directory, verifier: F.verifier), directory)
    }

    @Test func evaluationStartsOnFirstCheckAndEnds() {
        let (store, _) = makeStore()
        let end = F.now.addingTimeInterval(LicenseStore.evaluationPeriod)
        #expect(store.check(now: F.now).status == .evaluation(endsAt: end))
        #expect(store.check(now: F.now.addingTimeInterval(10 * F.day)).status == .evaluation(endsAt: end))
        let ended = store.check(now: end)
        #expect(ended.status == .evaluationEnded(endedAt: end))
        #expect(!ended.status.allowsServing)
    }

    @Test func settingTheClockBackDoesNotReopenAnEndedEvaluation() {
        let (store, _) = makeStore()
        _ = store.check(now: F.now)
        let later = F.now.addingTimeInterval(31 * F.day)
        #expect(!store.check(now: later).status.allowsServing)
        let rolledBack = store.check(now: F.now.addingTimeInterval(F.day))
        #expect(!rolledBack.status.allowsServing)
        #expect(rolledBack.clockRollback?.latestSeen.timeIntervalSince1970 == later.timeIntervalSince1970)
        #expect(rolledBack.effectiveTime.timeIntervalSince1970 == later.timeIntervalSince1970)
    }

    @Test func activationInstallsAndARefusalChangesNothing() throws {
        let (store, _) = makeStore()
        let license = try store.activate(F.file(), now: F.now)
        #expect(store.check(now: F.now).status == .licensed(license))
        let before = try Data(contentsOf: store.licenseFile)
        #expect(throws: LicenseError.self) { try store.activate(F.file(key: F.otherKey), now: F.now) }
        #expect(throws: LicenseError.self) { try store.activate(Data("{".utf8), now: F.now) }
        #expect(try Data(contentsOf: store.licenseFile) == before)
        #expect(store.check(now: F.now).status == .licensed(license))
    }

    @Test func anOlderLicenseIsNotReplayedOverANewerOne() throws {
        let (store, _) = makeStore()
        let older = F.file(F.terms(id: "lic-old", issuedAt: F.now.addingTimeInterval(-10 * F.day)))
        _ = try store.activate(F.file(F.terms(id: "lic-new")), now: F.now)
        #expect {
            try store.activate(older, now: F.now)
        } throws: { ($0 as? LicenseError)?.code == .superseded }
        _ = try store.activate(F.file(F.terms(id: "lic-newer", issuedAt: F.now)), now: F.now)
    }

    /// The vendor re-issues license `lic-1` with fewer seats: replaying the first file, with the
    /// same id, or after deleting the active file, does not undo the downgrade.
    @Test func aDowngradeSticksWhateverIsReplayedOrDeleted() throws {
        let (store, _) = makeStore()
        let first = F.file(F.terms(id: "lic-1", seats: 500, issuedAt: F.now.addingTimeInterval(-10 * F.day)))
        let reissue = F.file(F.terms(id: "lic-1", seats: 5, issuedAt: F.now.addingTimeInterval(-F.day)))
        _ = try store.activate(first, now: F.now)
        _ = try store.activate(reissue, now: F.now)
        #expect { try store.activate(first, now: F.now) } throws: { ($0 as? LicenseError)?.code == .superseded }
        // Re-activating the file in force changes nothing and is not an error.
        #expect(try store.activate(reissue, now: F.now).terms.seats == 5)
        try FileManager.default.removeItem(at: store.licenseFile)
        #expect { try store.activate(first, now: F.now) } throws: { ($0 as? LicenseError)?.code == .superseded }
        // What the audit log knows counts too, when the history file is gone as well.
        try FileManager.default.removeItem(at: store.historyFile)
        let known = [LicenseStore.Activation(licenseID: "lic-1", issuedAt: F.now.addingTimeInterval(-F.day))]
        #expect { try store.activate(first, now: F.now, known: known) } throws: { ($0 as? LicenseError)?.code == .superseded }
    }

    @Test func aLicenseIssuedInTheFutureIsRefused() throws {
        let (store, _) = makeStore()
        let ahead = F.file(F.terms(id: "ahead", issuedAt: F.now.addingTimeInterval(3 * F.day), notBefore: F.now.addingTimeInterval(-F.day)))
        #expect { try store.activate(ahead, now: F.now) } throws: { ($0 as? LicenseError)?.code == .notYetValid }
        #expect(!FileManager.default.fileExists(atPath: store.licenseFile.path))
    }

    @Test func anExpiredLicenseRefusesServingEvenWithTheClockSetBack() throws {
        let (store, _) = makeStore()
        _ = try store.activate(F.file(F.terms(notAfter: F.now.addingTimeInterval(F.day))), now: F.now)
        #expect(store.check(now: F.now).status.allowsServing)
        let after = store.check(now: F.now.addingTimeInterval(2 * F.day))
        guard case .invalid(let error) = after.status else {
            Issue.record("expected invalid, got \(after.status)")
            return
        }
        #expect(error.code == .expired)
        #expect(!store.check(now: F.now).status.allowsServing)
        // …and an expired license cannot be activated by setting the clock back either.
        #expect { try store.activate(F.file(F.terms(id: "again", notAfter: F.now.addingTimeInterval(F.day))), now: F.now) } throws: {
            ($0 as? LicenseError)?.code == .expired
        }
    }

    @Test func unreadableStateFailsClosed() throws {
        let (store, _) = makeStore()
        _ = store.check(now: F.now)
        try Data("garbage".utf8).write(to: store.markFile)
        let check = store.check(now: F.now)
        guard case .invalid(let error) = check.status else {
            Issue.record("expected invalid, got \(check.status)")
            return
        }
        #expect(error.code == .stateUnreadable)
        #expect(error.message.contains("time-mark"))
    }
}
