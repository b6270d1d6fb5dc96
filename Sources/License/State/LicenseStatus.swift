package import Foundation

/// Where the appliance stands: licensed, evaluating, or neither, in which case governed traffic
/// is refused (fail closed) until a valid license is activated.
package enum LicenseStatus: Sendable, Equatable {
    case licensed(License)
    /// No license yet: the evaluation period, counted from the first start, runs until `endsAt`.
    case evaluation(endsAt: Date)
    case evaluationEnded(endedAt: Date)
    /// A license is installed but does not verify now (expired, another machine, unreadable).
    case invalid(LicenseError)

    package var allowsServing: Bool {
        switch self {
        case .licensed, .evaluation: true
        case .evaluationEnded, .invalid: false
        }
    }

    /// When the license or the evaluation period ends; nil when neither is valid.
    package var validUntil: Date? {
        switch self {
        case .licensed(let license): license.terms.notAfter
        case .evaluation(let endsAt): endsAt
        case .evaluationEnded, .invalid: nil
        }
    }

    /// How many distinct users may hold active keys: the license's seats; no limit while
    /// evaluating (nor when nothing is served anyway).
    package var seats: Int? {
        if case .licensed(let license) = self { return license.terms.seats }
        return nil
    }

    /// `licensed`, `evaluation`, `evaluation-ended` or `invalid`.
    package var state: String {
        switch self {
        case .licensed: "licensed"
        case .evaluation: "evaluation"
        case .evaluationEnded: "evaluation-ended"
        case .invalid: "invalid"
        }
    }

    /// One line for people: the log, `tappass license show`, `/readyz`.
    package var summary: String {
        switch self {
        case .licensed(let license):
            let terms = license.terms
            return
                "licensed to \(terms.customer) (\(terms.edition), \(terms.seats) seat\(terms.seats == 1 ? "" : "s")) until \(LicenseVerifier.format(terms.notAfter))"
        case .evaluation(let endsAt): return "evaluation mode until \(LicenseVerifier.format(endsAt))"
        case .evaluationEnded(let endedAt):
            return "the evaluation period ended at \(LicenseVerifier.format(endedAt)); activate a license (tappass license request)"
        case .invalid(let error): return "the installed license is not valid: \(error)"
        }
    }
}

/// The outcome of one ``LicenseStore/check(now:)``: the status, and a clock rollback if one was
/// seen (the system clock behind the latest time the appliance has recorded).
package struct LicenseCheck: Sendable {
    package var status: LicenseStatus
    /// The time the check counted with: the later of the clock and the time mark.
    package var effectiveTime: Date
    package var clockRollback: (latestSeen: Date, now: Date)?
    /// Why the time mark could not be advanced this time (the previous mark still holds).
    package var markNotWritten: LicenseError?

    init(status: LicenseStatus, effectiveTime: Date) {
        self.status = status
        self.effectiveTime = effectiveTime
    }
}
