package import Foundation
import Synchronization

/// What the license allows, as the appliance's license monitor last judged it. The gateway
/// knows nothing of license files: it is told whether to serve (else why not), how many seats
/// keys may cover, and until when, and checks the first on every authenticated request (one
/// uncontended lock).
package final class LicenseGate: Sendable {
    package struct State: Sendable, Equatable {
        /// Why governed requests are refused, or nil when they are served.
        package var refusal: String?
        /// How many distinct users may hold active keys; nil for no limit (evaluation).
        package var seats: Int?
        /// When the license or evaluation period ends.
        package var validUntil: Date?
        /// From when a user beyond the license's seats is refused (the grace period after a
        /// license with fewer seats than users ends then); nil while nobody is refused for it.
        package var seatGraceEnds: Date?
        /// How far the system clock is behind license time (0 when it is not).
        package var clockBehind: TimeInterval

        package init(
            refusal: String? = nil,
            seats: Int? = nil,
            validUntil: Date? = nil,
            seatGraceEnds: Date? = nil,
            clockBehind: TimeInterval = 0
        ) {
            self.refusal = refusal
            self.seats = seats
            self.validUntil = validUntil
            self.seatGraceEnds = seatGraceEnds
            self.clockBehind = clockBehind
        }
    }

    private let current: Mutex<State>

    /// Starts open: the appliance sets it before serving.
    package init(_ state: State = State()) {
        current = Mutex(state)
    }

    package var state: State { current.withLock { $0 } }

    package var refusal: String? { current.withLock { $0.refusal } }

    package func set(_ state: State) { current.withLock { $0 = state } }
}
