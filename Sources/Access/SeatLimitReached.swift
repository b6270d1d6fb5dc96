/// A key for one more user would need more seats than the license covers.
package struct SeatLimitReached: Error, Sendable, Equatable, CustomStringConvertible {
    package var seats: Int
    package var user: String

    package var description: String {
        "the license covers \(seats) seat\(seats == 1 ? "" : "s") and all are taken by users holding active keys; "
            + "revoke a user's keys or activate a license with more seats to add '\(user)'"
    }
}
