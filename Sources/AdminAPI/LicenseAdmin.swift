package import Foundation

/// The license side of the admin API. The gateway does not read license files (the `License`
/// module does, wired in by the appliance): it carries these messages between the CLI and the
/// handlers it is given.
package struct LicenseAdmin: Sendable {
    package var status: @Sendable () async -> LicenseSummary
    package var activate: @Sendable (_ request: LicenseActivateRequest) async -> LicenseActivationOutcome

    package init(
        status: @escaping @Sendable () async -> LicenseSummary,
        activate: @escaping @Sendable (_ request: LicenseActivateRequest) async -> LicenseActivationOutcome
    ) {
        self.status = status
        self.activate = activate
    }
}

/// `tappass license activate FILE` as sent to the service: the file's bytes as they are (the
/// signature covers them) and where they came from, for the log and the audit event.
package struct LicenseActivateRequest: Codable, Sendable {
    package var source: String
    package var license: Data

    package init(source: String, license: Data) {
        self.source = source
        self.license = license
    }
}

package enum LicenseActivationOutcome: Sendable {
    case activated(LicenseSummary)
    /// The stable code (`bad_signature`, `expired`, …) and the message; nothing changed.
    case refused(code: String, message: String)
}

/// The license state as `tappass license show` prints it.
package struct LicenseSummary: Codable, Sendable, Equatable {
    /// `licensed`, `evaluation`, `evaluation-ended` or `invalid`.
    package var state: String
    package var detail: String
    package var serving: Bool
    package var machine: String
    package var licenseID: String?
    package var customer: String?
    package var orgID: String?
    package var edition: String?
    package var entitlements: [String]
    package var seats: Int?
    package var validUntil: Date?
    /// The users who hold seats (every user with an active key while evaluating).
    package var seatHolders: [String] = []
    /// Users with active keys beyond the seats, and when they stop being served.
    package var overSeats: [String] = []
    package var seatGraceEnds: Date?
    /// How far the system clock is behind license time, when it is more than 5 minutes.
    package var clockBehindSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case state, detail, serving, machine, customer, edition, entitlements, seats
        case seatHolders = "seat_holders"
        case overSeats = "over_seats"
        case seatGraceEnds = "seat_grace_ends"
        case clockBehindSeconds = "clock_behind_seconds"
        case licenseID = "license_id"
        case orgID = "org_id"
        case validUntil = "valid_until"
    }

    package init(
        state: String,
        detail: String,
        serving: Bool,
        machine: String,
        licenseID: String? = nil,
        customer: String? = nil,
        orgID: String? = nil,
        edition: String? = nil,
        entitlements: [String] = [],
        seats: Int? = nil,
        validUntil: Date? = nil
    ) {
        self.state = state
        self.detail = detail
        self.serving = serving
        self.machine = machine
        self.licenseID = licenseID
        self.customer = customer
        self.orgID = orgID
        self.edition = edition
        self.entitlements = entitlements
        self.seats = seats
        self.validUntil = validUntil
    }
}
