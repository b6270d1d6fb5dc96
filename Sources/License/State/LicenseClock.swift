package import Foundation
import Synchronization

/// The time licenses are judged at: never earlier than a time the appliance already trusted, and
/// moving forward with the monotonic clock from the last trusted reading. Setting the wall clock
/// back then neither freezes nor rewinds license time while the service runs: a license ends
/// when its time has really passed. Across a restart the floor is the later of the time mark and
/// the audit log's newest record (see ``LicenseStore/check(now:wall:known:)``); time that passed
/// while the appliance was off and the clock was set back is not counted.
package final class LicenseClock: Sendable {
    let wall: @Sendable () -> Date
    let monotonic: @Sendable () -> ContinuousClock.Instant
    private let trusted = Mutex<(time: Date, at: ContinuousClock.Instant)?>(nil)

    package init(
        wall: @escaping @Sendable () -> Date = { Date() },
        monotonic: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.wall = wall
        self.monotonic = monotonic
    }

    /// The wall clock now, and license time: the latest of the wall clock, `floor` and the last
    /// trusted time advanced by the monotonic time since.
    package func read(floor: Date? = nil) -> (wall: Date, license: Date) {
        let wallNow = wall()
        let instant = monotonic()
        return trusted.withLock { trusted in
            var time = max(wallNow, floor ?? wallNow)
            if let last = trusted {
                let elapsed = instant - last.at
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                time = max(time, last.time.addingTimeInterval(seconds))
            }
            trusted = (time, instant)
            return (wallNow, time)
        }
    }
}
