import Detection
import Foundation
import Testing

@testable import Governance

/// Quotas are exact: reservations under one lock, settlement with real usage.
@Suite struct QuotaLedgerTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_030)

    @Test func requestsPerMinuteAreCountedAndRetryAfterNamesTheWindow() throws {
        let ledger = QuotaLedger()
        let subject = QuotaLedger.Subject(name: "key k", limits: QuotaLimits(requestsPerMinute: 2))
        _ = try ledger.reserve([subject], input: 10, output: 10, now: Self.now)
        _ = try ledger.reserve([subject], input: 10, output: 10, now: Self.now)
        #expect(throws: QuotaExceeded.self) { try ledger.reserve([subject], input: 10, output: 10, now: Self.now) }
        do {
            _ = try ledger.reserve([subject], input: 10, output: 10, now: Self.now)
        } catch {
            #expect(error.retryAfter == 30)
            #expect(error.message.contains("2 requests per minute"))
        }
        // The next minute opens the window again.
        _ = try ledger.reserve([subject], input: 10, output: 10, now: Self.now.addingTimeInterval(30))
    }

    @Test func outputIsCappedToWhatIsLeftAndSettlementReleasesTheRest() throws {
        let ledger = QuotaLedger()
        let subject = QuotaLedger.Subject(name: "team t", limits: QuotaLimits(tokensPerMinute: 1000))
        let first = try #require(try ledger.reserve([subject], input: 100, output: 2000, now: Self.now))
        #expect(first.grantedOutput == 900)
        #expect(throws: QuotaExceeded.self) { try ledger.reserve([subject], input: 1, output: 1, now: Self.now) }
        ledger.settle(first, used: 150)
        #expect(ledger.snapshot("team t", now: Self.now).minuteTokens == 150)
        let second = try #require(try ledger.reserve([subject], input: 100, output: nil, now: Self.now))
        #expect(second.grantedOutput == 750)
    }

    @Test func aRefusalOnOneSubjectReservesNothingOnTheOther() throws {
        let ledger = QuotaLedger()
        let key = QuotaLedger.Subject(name: "key k", limits: QuotaLimits(tokensPerMinute: 10_000))
        let team = QuotaLedger.Subject(name: "team t", limits: QuotaLimits(tokensPerDay: 50))
        #expect(throws: QuotaExceeded.self) { try ledger.reserve([key, team], input: 100, output: 10, now: Self.now) }
        #expect(ledger.snapshot("key k", now: Self.now).minuteTokens == 0)
    }

    @Test func parallelReservationsNeverExceedTheLimit() async throws {
        let ledger = QuotaLedger()
        let subject = QuotaLedger.Subject(name: "key k", limits: QuotaLimits(tokensPerMinute: 5_000))
        let granted = await withTaskGroup(of: Int64.self) { group in
            for _ in 0..<400 {
                group.addTask {
                    guard let reservation = try? ledger.reserve([subject], input: 40, output: 30, now: Self.now) else { return 0 }
                    await Task.yield()
                    // Hosts use at most what was granted; often less.
                    let used = 40 + Int64.random(in: 0...(reservation.grantedOutput ?? 30))
                    ledger.settle(reservation, used: used)
                    return used
                }
            }
            return await group.reduce(0, +)
        }
        #expect(granted <= 5_000)
        #expect(granted > 0)
        #expect(ledger.snapshot("key k", now: Self.now).minuteTokens == granted)
    }
}
