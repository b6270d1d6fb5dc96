import Access
import AdminAPI
import Audit
import Foundation
import Gateway
import License
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the gateway's ``LicenseGate`` in step with the license state: judged before the
/// service serves, every minute after (a license or evaluation runs out while the service is
/// up), and at once when a license is activated. Every change of state is logged and leaves an
/// audit event; an activation leaves `license.activated` or `license.refused`.
final class LicenseMonitor: Service, Sendable {
    let store: LicenseStore
    let machine: MachineFingerprint
    let gate: LicenseGate
    let audit: AuditLog
    let logger: Logger
    let interval: Duration
    let clock: LicenseClock
    /// Every user with an active key, in seat order (see `APIKeyStore.seatOrder`).
    let seatOrder: @Sendable () -> [String]
    /// What the audit log says of earlier evaluations and licenses (read once, then kept current).
    private let history = Mutex<AuditedLicenseHistory?>(nil)
    /// The day the last "over the seats" warning was logged.
    private let seatWarnedDay = Mutex<Int?>(nil)
    /// The state last applied (state name and license id), to log and audit changes only, and
    /// the day the last "ends soon" warning was logged.
    private let applied = Mutex<(key: String?, warnedDay: Int?)>((nil, nil))
    /// From this long before the license or evaluation ends, the log warns once a day.
    static let warnAhead: TimeInterval = 14 * 86_400
    /// How long users beyond a new license's seats are still served after its activation.
    static let seatGrace: TimeInterval = 14 * 86_400

    init(
        store: LicenseStore,
        machine: MachineFingerprint,
        gate: LicenseGate,
        audit: AuditLog,
        logger: Logger,
        interval: Duration = .seconds(60),
        clock: LicenseClock = LicenseClock(),
        seatOrder: @escaping @Sendable () -> [String] = { [] }
    ) {
        self.seatOrder = seatOrder
        self.store = store
        self.machine = machine
        self.gate = gate
        self.audit = audit
        self.logger = logger
        self.interval = interval
        self.clock = clock
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                if Task.isCancelled { return }
                self.refresh()
            }
        }
    }

    /// Judges the state now and applies it: the gate, and a log line and audit event if it changed.
    @discardableResult
    func refresh() -> LicenseStatus {
        let known = knownHistory()
        let time = clock.read(floor: audit.latestTime)
        let check = store.check(now: time.license, wall: time.wall, known: known.state(latestTime: audit.latestTime))
        // The evaluation's start goes into the audit log too (also for one started before the log
        // kept it), so deleting the state folder's file does not start a new one.
        let evaluationEnd: Date? =
            switch check.status {
            case .evaluation(let end), .evaluationEnded(let end): end
            case .licensed, .invalid: nil
            }
        if let evaluationEnd, known.evaluationStart == nil {
            let start = evaluationEnd.addingTimeInterval(-LicenseStore.evaluationPeriod)
            history.withLock { known in
                if known != nil { known!.evaluationStart = start }
            }
            audit.recordLater(.event("license.evaluation_started", detail: ["start": start.formatted(.iso8601)]))
        }
        if let rollback = check.clockRollback {
            logger.critical(
                "the system clock is behind the latest time seen; license validity is judged at the latest time",
                metadata: ["clock.latest_seen": "\(rollback.latestSeen)", "clock.now": "\(rollback.now)"]
            )
        }
        if let error = check.markNotWritten {
            logger.warning("cannot advance the license time mark", metadata: ["error": "\(error.message)"])
        }
        let behind = check.clockRollback.map { $0.latestSeen.timeIntervalSince($0.now) } ?? 0
        apply(check.status, at: check.effectiveTime, clockBehind: behind)
        return check.status
    }

    /// What a policy bundle is judged against: the license status now and the license time,
    /// never earlier than any time the appliance has seen (a clock set back revives nothing).
    func judgement() -> (status: LicenseStatus, time: Date) {
        let status = refresh()
        return (status, clock.read(floor: audit.latestTime).license)
    }

    /// When users beyond the seats stop being served: the grace period after the active
    /// license's activation (the audit log's time of it), or nil while the seats suffice.
    func seatGraceEnds(_ status: LicenseStatus, users: Int) -> Date? {
        guard case .licensed(let license) = status, users > license.terms.seats else { return nil }
        let activated = knownHistory().activatedAt[license.terms.licenseID] ?? clock.read().license
        return activated.addingTimeInterval(Self.seatGrace)
    }

    private func apply(_ status: LicenseStatus, at now: Date, clockBehind: TimeInterval) {
        let users = seatOrder().count
        let graceEnds = seatGraceEnds(status, users: users)
        gate.set(
            .init(
                refusal: status.allowsServing ? nil : status.summary,
                seats: status.seats,
                validUntil: status.validUntil,
                seatGraceEnds: graceEnds,
                clockBehind: clockBehind
            )
        )
        let key: String
        if case .licensed(let license) = status { key = "licensed/\(license.terms.licenseID)" } else { key = status.state }
        let day = Int(now.timeIntervalSince1970 / 86_400)
        let endsSoon = status.validUntil.map { $0.timeIntervalSince(now) < Self.warnAhead } ?? false
        let (changed, warn) = applied.withLock { applied -> (Bool, Bool) in
            let changed = applied.key != key
            let warn = endsSoon && (changed || applied.warnedDay != day)
            applied = (key, warn ? day : applied.warnedDay)
            return (changed, warn)
        }
        if let graceEnds, let seats = status.seats, seatWarnedDay.withLock({ $0 }) != day {
            seatWarnedDay.withLock { $0 = day }
            logger.warning(
                "more users hold active keys than the license has seats",
                metadata: [
                    "license.seats": "\(seats)", "license.seat_users": "\(users)",
                    "license.seat_grace_ends": "\(graceEnds.formatted(.iso8601))",
                ]
            )
        }
        if warn, let end = status.validUntil {
            let days = Int((end.timeIntervalSince(now) / 86_400).rounded(.up))
            logger.warning(
                "the license or evaluation period ends soon",
                metadata: [
                    "license.state": "\(status.state)", "license.valid_until": "\(end.formatted(.iso8601))", "license.days_left": "\(days)",
                ]
            )
        }
        guard changed else { return }
        if case .invalid(let error) = status {
            logger.error(
                "the installed license is refused",
                metadata: ["license.code": "\(error.code.rawValue)", "error": "\(error.message)"]
            )
            audit.recordLater(
                .event("license.refused", detail: ["source": store.licenseFile.path, "code": error.code.rawValue, "error": error.message])
            )
        } else {
            let level: Logger.Level = status.allowsServing ? .notice : .error
            logger.log(
                level: level,
                "license state",
                metadata: ["license.state": "\(status.state)", "license.detail": "\(status.summary)"]
            )
            audit.recordLater(.event("license.state", detail: ["state": status.state, "detail": status.summary]))
        }
    }

    func summary() -> LicenseSummary {
        withSeats(LicenseSummary(refresh(), machine: machine))
    }

    /// The summary with who holds the seats and who does not.
    func withSeats(_ summary: LicenseSummary) -> LicenseSummary {
        var summary = summary
        let behind = gate.state.clockBehind
        summary.clockBehindSeconds = behind > 0 ? Int(behind) : nil
        let order = seatOrder()
        guard let seats = summary.seats else {
            summary.seatHolders = order
            return summary
        }
        summary.seatHolders = Array(order.prefix(seats))
        summary.overSeats = Array(order.dropFirst(seats))
        summary.seatGraceEnds = summary.overSeats.isEmpty ? nil : gate.state.seatGraceEnds
        return summary
    }

    /// Verifies and installs a license file the admin CLI sent; the state in force stays on refusal.
    func activate(_ request: LicenseActivateRequest) async -> LicenseActivationOutcome {
        do {
            let license = try store.activate(
                request.license,
                now: clock.read(floor: audit.latestTime).license,
                known: knownHistory().activations
            )
            let terms = license.terms
            let activatedAt = clock.read(floor: audit.latestTime).license
            history.withLock {
                $0?.activations.append(.init(licenseID: terms.licenseID, issuedAt: terms.issuedAt))
                $0?.activatedAt[terms.licenseID] = activatedAt
            }
            logger.notice(
                "license activated",
                metadata: [
                    "license.id": "\(terms.licenseID)", "license.customer": "\(terms.customer)", "license.source": "\(request.source)",
                ]
            )
            await audit.record(.event("license.activated", detail: LicenseEvents.activated(license, source: request.source)))
            return .activated(withSeats(LicenseSummary(refresh(), machine: machine)))
        } catch {
            logger.warning(
                "license refused",
                metadata: ["license.source": "\(request.source)", "license.code": "\(error.code.rawValue)", "error": "\(error.message)"]
            )
            await audit.record(.event("license.refused", detail: LicenseEvents.refused(error, source: request.source)))
            return .refused(code: error.code.rawValue, message: error.message)
        }
    }
}

extension LicenseMonitor {
    /// The audit log's license history, read on first use. An unreadable log gives nothing
    /// (the log itself then refuses governed traffic, so nothing is served on that account).
    func knownHistory() -> AuditedLicenseHistory {
        if let known = history.withLock({ $0 }) { return known }
        do {
            let known = try AuditedLicenseHistory(audit)
            history.withLock { $0 = known }
            return known
        } catch {
            logger.error("cannot read the license history from the audit log", metadata: ["error": "\(error)"])
            return AuditedLicenseHistory()
        }
    }
}

/// What the audit log records of this appliance's evaluations and licenses.
struct AuditedLicenseHistory: Sendable {
    var evaluationStart: Date?
    var everLicensed = false
    var activations: [LicenseStore.Activation] = []
    /// When each license id was last activated.
    var activatedAt: [String: Date] = [:]

    init() {}

    /// Read from the `license.evaluation_started` and `license.activated` events.
    init(_ audit: AuditLog) throws {
        for event in try audit.events(named: ["license.evaluation_started", "license.activated"]) {
            let detail = event.detail.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            if event.name == "license.evaluation_started" {
                let start = detail["start"].flatMap { try? Date($0, strategy: .iso8601) } ?? event.time
                evaluationStart = min(evaluationStart ?? start, start)
            } else {
                everLicensed = true
                if let id = detail["license_id"] { activatedAt[id] = event.time }
                if let id = detail["license_id"], let issued = detail["issued_at"].flatMap({ try? Date($0, strategy: .iso8601) }) {
                    activations.append(.init(licenseID: id, issuedAt: issued))
                }
            }
        }
    }

    func state(latestTime: Date) -> LicenseStore.Known {
        LicenseStore.Known(
            latestTime: latestTime.timeIntervalSince1970 > 0 ? latestTime : nil,
            evaluationStart: evaluationStart,
            everLicensed: everLicensed || !activations.isEmpty
        )
    }
}

/// The details of license audit events: what was activated or why not; never key material.
enum LicenseEvents {
    static func activated(_ license: License, source: String) -> [String: String] {
        let terms = license.terms
        return [
            "source": source, "license_id": terms.licenseID, "customer": terms.customer, "org_id": terms.orgID,
            "edition": terms.edition, "seats": "\(terms.seats)", "not_after": terms.notAfter.formatted(.iso8601), "key_id": license.keyID,
            "issued_at": terms.issuedAt.formatted(.iso8601),
        ]
    }

    static func refused(_ error: LicenseError, source: String) -> [String: String] {
        ["source": source, "code": error.code.rawValue, "error": error.message]
    }
}

extension LicenseSummary {
    init(_ status: LicenseStatus, machine: MachineFingerprint) {
        self.init(state: status.state, detail: status.summary, serving: status.allowsServing, machine: machine.value)
        switch status {
        case .licensed(let license):
            let terms = license.terms
            licenseID = terms.licenseID
            customer = terms.customer
            orgID = terms.orgID
            edition = terms.edition
            entitlements = terms.entitlements
            seats = terms.seats
            validUntil = terms.notAfter
        case .evaluation(let endsAt): validUntil = endsAt
        case .evaluationEnded, .invalid: break
        }
    }
}
