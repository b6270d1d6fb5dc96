import Foundation
import Synchronization
import Testing

@testable import License

/// The owner's everyday attacks on license time and state, each shown ineffective: the clock
/// set back (while running and across restarts), state files deleted or edited, an evaluation
/// restarted on a machine that held a license.
@Suite struct LicenseTimeTests {
    typealias F = LicenseFixtures

    /// A wall clock and a monotonic clock the test moves.
    final class Clocks: Sendable {
        let wall = Mutex(F.now)
        let origin = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)

        var clock: LicenseClock {
            LicenseClock(wall: { self.wall.withLock { $0 } }, monotonic: { self.origin + self.elapsed.withLock { $0 } })
        }

        func pass(_ seconds: TimeInterval, wallTo wall: Date? = nil) {
            elapsed.withLock { $0 += .seconds(seconds) }
            self.wall.withLock { $0 = wall ?? $0.addingTimeInterval(seconds) }
        }
    }

    func makeStore() -> LicenseStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("license-\(UUID().uuidString)").path
        return LicenseStore(stateDirectory: directory, verifier: F.verifier)
    }

    @Test func licenseTimeKeepsMovingWhenTheClockIsSetBack() {
        let clocks = Clocks()
        let clock = clocks.clock
        #expect(clock.read().license == F.now)
        // Ten days pass, but the wall clock is set back to the start.
        clocks.pass(10 * F.day, wallTo: F.now)
        let read = clock.read()
        #expect(read.wall == F.now)
        #expect(read.license == F.now.addingTimeInterval(10 * F.day))
        // A floor from elsewhere (the audit log) wins when it is later.
        #expect(clock.read(floor: F.now.addingTimeInterval(20 * F.day)).license == F.now.addingTimeInterval(20 * F.day))
    }

    @Test func aLicenseEndsWhenItsTimeHasReallyPassedWhateverTheClockSays() throws {
        let store = makeStore()
        let clocks = Clocks()
        let clock = clocks.clock
        _ = try store.activate(F.file(F.terms(notAfter: F.now.addingTimeInterval(2 * F.day))), now: F.now)
        var time = clock.read()
        #expect(store.check(now: time.license, wall: time.wall).status.allowsServing)
        // Three days of service with the clock held back by an hour at a time: the license ends.
        for _ in 0..<72 {
            clocks.pass(3600, wallTo: F.now)
            time = clock.read()
            _ = store.check(now: time.license, wall: time.wall)
        }
        let check = store.check(now: time.license, wall: time.wall)
        #expect(!check.status.allowsServing)
        #expect(check.clockRollback != nil)
    }

    @Test func aClockFarBehindFailsClosed() throws {
        let store = makeStore()
        _ = try store.activate(F.file(), now: F.now)
        let later = F.now.addingTimeInterval(5 * F.day)
        #expect(store.check(now: later).status.allowsServing)
        // Within a day behind: still served, reported.
        let slightly = store.check(now: later, wall: later.addingTimeInterval(-3600))
        #expect(slightly.status.allowsServing && slightly.clockRollback != nil)
        let far = store.check(now: later, wall: F.now)
        guard case .invalid(let error) = far.status else {
            Issue.record("expected clock_behind, got \(far.status)")
            return
        }
        #expect(error.code == .clockBehind)
    }

    @Test func deletingTheTimeMarkDoesNotReviveAnExpiredLicense() throws {
        let store = makeStore()
        _ = try store.activate(F.file(F.terms(notAfter: F.now.addingTimeInterval(F.day))), now: F.now)
        let after = F.now.addingTimeInterval(3 * F.day)
        #expect(!store.check(now: after).status.allowsServing)
        try FileManager.default.removeItem(at: store.markFile)
        // The clock set back, the mark gone: the audit log's newest record still says it is late.
        let known = LicenseStore.Known(latestTime: after, everLicensed: true)
        #expect(!store.check(now: F.now, wall: F.now, known: known).status.allowsServing)
    }

    @Test func anEvaluationDoesNotRestartWhenItsFileIsDeletedOrEdited() throws {
        let store = makeStore()
        let first = store.check(now: F.now)
        guard case .evaluation(let endsAt) = first.status else {
            Issue.record("expected evaluation, got \(first.status)")
            return
        }
        let later = F.now.addingTimeInterval(40 * F.day)
        let known = LicenseStore.Known(latestTime: later, evaluationStart: F.now)
        #expect(store.check(now: later, known: known).status == .evaluationEnded(endedAt: endsAt))
        // Deleted: the audit log's start holds.
        try FileManager.default.removeItem(at: store.evaluationFile)
        #expect(store.check(now: later, known: known).status == .evaluationEnded(endedAt: endsAt))
        // Moved to a later date: the earlier start holds.
        try Data("\(later.formatted(.iso8601))\n".utf8).write(to: store.evaluationFile)
        #expect(store.check(now: later, known: known).status == .evaluationEnded(endedAt: endsAt))
        // Moved into the future (2099): refused as edited.
        try Data("2099-01-01T00:00:00Z\n".utf8).write(to: store.evaluationFile)
        guard case .invalid(let error) = store.check(now: later).status else {
            Issue.record("expected state_tampered")
            return
        }
        #expect(error.code == .stateTampered)
    }

    @Test func noEvaluationStartsOnAMachineThatHeldALicense() throws {
        let store = makeStore()
        // The license file deleted (the whole license folder, even): the audit log remembers.
        let check = store.check(now: F.now, known: LicenseStore.Known(everLicensed: true))
        guard case .invalid(let error) = check.status else {
            Issue.record("expected evaluation_used, got \(check.status)")
            return
        }
        #expect(error.code == .evaluationUsed)
        #expect(!FileManager.default.fileExists(atPath: store.evaluationFile.path))
    }
}
