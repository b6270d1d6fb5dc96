package import Foundation
import Synchronization

/// The license state folder (`<state_dir>/license/`): the active license file as the vendor
/// sent it, the start of the evaluation period, and a time high-water mark. The mark makes
/// setting the clock back useless: validity is always judged at the later of the clock and the
/// latest time seen, so an expired license or evaluation stays expired.
package final class LicenseStore: Sendable {
    package static let evaluationPeriod: TimeInterval = 30 * 86_400
    /// A clock this far behind the mark counts as rolled back (NTP steps are smaller).
    static let rollbackTolerance: TimeInterval = 300
    /// The mark is rewritten when time has moved on by this much.
    static let markResolution: TimeInterval = 60

    package let directory: URL
    let verifier: LicenseVerifier
    private let lock = Mutex(())

    package init(stateDirectory: String, verifier: LicenseVerifier) {
        self.directory = URL(fileURLWithPath: stateDirectory).appendingPathComponent("license")
        self.verifier = verifier
    }

    package var licenseFile: URL { directory.appendingPathComponent("license.json") }
    var evaluationFile: URL { directory.appendingPathComponent("evaluation-start") }
    var markFile: URL { directory.appendingPathComponent("time-mark") }

    /// What the tamper-evident audit log knows of this appliance's past, cross-checked with the
    /// state folder at every check: a file deleted or edited there is read as the strictest thing
    /// the log allows, never as a new machine.
    package struct Known: Sendable, Equatable {
        /// The newest time any audit record carries.
        package var latestTime: Date?
        /// The earliest evaluation start recorded.
        package var evaluationStart: Date?
        /// Whether a license was ever activated here.
        package var everLicensed: Bool

        package init(latestTime: Date? = nil, evaluationStart: Date? = nil, everLicensed: Bool = false) {
            self.latestTime = latestTime
            self.evaluationStart = evaluationStart
            self.everLicensed = everLicensed
        }
    }

    /// How far the wall clock may lag license time before governed traffic is refused until the
    /// clock is corrected: beyond this it is no NTP step or drift but a clock set back, and every
    /// audit record would carry a wrong time.
    package static let clockLagLimit: TimeInterval = 86_400

    /// Reads the state and judges it at license time: the latest of `now` (the license clock,
    /// ``LicenseClock``), the time mark (which it advances) and `known.latestTime`. `wall` is the
    /// system clock, for rollback detection (default `now`). Unreadable state is
    /// `.invalid(.stateUnreadable)`: the caller fails closed. A mark that cannot be advanced
    /// (disk full) is reported, not fatal: the last one written still holds.
    package func check(now: Date, wall: Date? = nil, known: Known = Known()) -> LicenseCheck {
        lock.withLock { _ in
            let mark: Date?
            do throws(LicenseError) { mark = try readTime(markFile) } catch {
                return LicenseCheck(status: .invalid(error), effectiveTime: now)
            }
            let effective = [now, mark, known.latestTime].compactMap(\.self).max()!
            let wall = wall ?? now
            var check = LicenseCheck(status: .evaluationEnded(endedAt: effective), effectiveTime: effective)
            if wall < effective.addingTimeInterval(-Self.clockLagLimit) {
                check.status = .invalid(
                    LicenseError(
                        .clockBehind,
                        "the system clock (\(LicenseVerifier.format(wall))) is more than a day behind the latest time this "
                            + "appliance has seen (\(LicenseVerifier.format(effective))): correct the clock"
                    )
                )
            } else {
                check.status = status(at: effective, known: known)
            }
            if wall < effective.addingTimeInterval(-Self.rollbackTolerance) { check.clockRollback = (effective, wall) }
            if mark.map({ effective.timeIntervalSince($0) >= Self.markResolution }) ?? true {
                do throws(LicenseError) { try writeTime(effective, to: markFile) } catch { check.markNotWritten = error }
            }
            return check
        }
    }

    private func status(at time: Date, known: Known) -> LicenseStatus {
        do throws(LicenseError) {
            if let data = try readFile(licenseFile) {
                do { return .licensed(try verifier.verify(data, at: time)) } catch { return .invalid(error) }
            }
            // Once a license was activated here, the evaluation is over: deleting the license
            // (a downgrade, an expired one) does not fall back to it.
            guard !known.everLicensed, try readHistory().isEmpty else {
                throw LicenseError(
                    .evaluationUsed,
                    "this appliance has held a license (its audit log and history say so): the evaluation is over; "
                        + "activate a license (tappass license request)"
                )
            }
            var start = try readTime(evaluationFile)
            if let recorded = start, recorded > time.addingTimeInterval(Self.rollbackTolerance) {
                throw LicenseError(
                    .stateTampered,
                    "\(evaluationFile.path) says the evaluation starts at \(LicenseVerifier.format(recorded)), after this "
                        + "appliance's time \(LicenseVerifier.format(time)): the file was edited"
                )
            }
            // The earliest start either source knows (the file deleted or moved forward).
            if let earliest = known.evaluationStart, start.map({ earliest < $0 }) ?? true {
                try writeTime(earliest, to: evaluationFile)
                start = earliest
            }
            if start == nil {
                try writeTime(time, to: evaluationFile)
                start = time
            }
            let end = start!.addingTimeInterval(Self.evaluationPeriod)
            return time < end ? .evaluation(endsAt: end) : .evaluationEnded(endedAt: end)
        } catch {
            return .invalid(error)
        }
    }

    /// One license ever activated here: its id and when it was issued.
    package struct Activation: Sendable, Equatable {
        package var licenseID: String
        package var issuedAt: Date

        package init(licenseID: String, issuedAt: Date) {
            self.licenseID = licenseID
            self.issuedAt = issuedAt
        }
    }

    /// How far in the future a license's `issued_at` may be (clocks differ): beyond it, the file
    /// would lock out every license issued later, and is refused.
    package static let issuedAheadTolerance: TimeInterval = 86_400

    var historyFile: URL { directory.appendingPathComponent("activated") }

    /// Verifies `data` and makes it the active license, atomically; on any error nothing changes.
    /// Licenses go forward in issue order: a file issued before one ever activated here (listed
    /// in the `activated` history, the active file, or `known`, which the caller reads from the
    /// audit log) is `superseded`, and so is an older or equal re-issue of the same license id,
    /// so a replayed file cannot undo a downgrade. Re-activating the active file is a no-op.
    package func activate(_ data: Data, now: Date, known: [Activation] = []) throws(LicenseError) -> License {
        try lock.withLock { _ throws(LicenseError) -> License in
            let effective = max(now, try readTime(markFile) ?? now)
            let license = try verifier.verify(data, at: effective)
            let terms = license.terms
            let current = try readFile(licenseFile)
            if current == data { return license }
            guard terms.issuedAt <= effective.addingTimeInterval(Self.issuedAheadTolerance) else {
                throw LicenseError(
                    .notYetValid,
                    "issued \(LicenseVerifier.format(terms.issuedAt)), more than a day after this appliance's time "
                        + "\(LicenseVerifier.format(effective)): check the vendor's clock and ask for a new file"
                )
            }
            var history = try readHistory() + known
            if let current, let active = try? verifier.authenticate(current) {
                history.append(Activation(licenseID: active.terms.licenseID, issuedAt: active.terms.issuedAt))
            }
            if let newer = history.filter({
                $0.issuedAt > terms.issuedAt || ($0.licenseID == terms.licenseID && $0.issuedAt >= terms.issuedAt)
            })
            .max(by: { $0.issuedAt < $1.issuedAt }) {
                throw LicenseError(
                    .superseded,
                    "issued \(LicenseVerifier.format(terms.issuedAt)), not after license \(newer.licenseID) "
                        + "(issued \(LicenseVerifier.format(newer.issuedAt))), which was already activated here"
                )
            }
            try write(data, to: licenseFile)
            try append(Activation(licenseID: terms.licenseID, issuedAt: terms.issuedAt))
            return license
        }
    }

    /// The `activated` history: one line per license ever activated, `<issued_at> <license_id>`.
    private func readHistory() throws(LicenseError) -> [Activation] {
        guard let data = try readFile(historyFile) else { return [] }
        var activations: [Activation] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.isEmpty {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let issued = try? Date(String(parts[0]), strategy: .iso8601) else {
                throw LicenseError(
                    .stateUnreadable,
                    "\(historyFile.path): expected '<issued_at> <license_id>' lines, got '\(line.prefix(60))'"
                )
            }
            activations.append(Activation(licenseID: String(parts[1]), issuedAt: issued))
        }
        return activations
    }

    private func append(_ activation: Activation) throws(LicenseError) {
        var data = try readFile(historyFile) ?? Data()
        data.append(Data("\(activation.issuedAt.formatted(.iso8601)) \(activation.licenseID)\n".utf8))
        try write(data, to: historyFile)
    }

    // MARK: Files

    private func readFile(_ url: URL) throws(LicenseError) -> Data? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try Data(contentsOf: url) } catch {
            throw LicenseError(.stateUnreadable, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    private func readTime(_ url: URL) throws(LicenseError) -> Date? {
        guard let data = try readFile(url) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let date = try? Date(text, strategy: .iso8601) else {
            throw LicenseError(.stateUnreadable, "\(url.path): expected an ISO 8601 time, got '\(text.prefix(40))'")
        }
        return date
    }

    private func writeTime(_ date: Date, to url: URL) throws(LicenseError) {
        try write(Data((date.formatted(.iso8601) + "\n").utf8), to: url)
    }

    private func write(_ data: Data, to url: URL) throws(LicenseError) {
        do {
            try FileManager.default.createDirectory(
                at: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o750]
            )
            try data.write(to: url, options: .atomic)
        } catch {
            throw LicenseError(.stateUnreadable, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
