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

    /// Reads the state and judges it at the later of `now` and the time mark (which it advances).
    /// Unreadable state is `.invalid(.stateUnreadable)`: the caller fails closed. A mark that
    /// cannot be advanced (disk full) is reported, not fatal: the last one written still holds.
    package func check(now: Date) -> LicenseCheck {
        lock.withLock { _ in
            let mark: Date?
            do throws(LicenseError) { mark = try readTime(markFile) } catch {
                return LicenseCheck(status: .invalid(error), effectiveTime: now)
            }
            let effective = max(now, mark ?? now)
            var check = LicenseCheck(status: status(at: effective), effectiveTime: effective)
            if let mark, now < mark.addingTimeInterval(-Self.rollbackTolerance) { check.clockRollback = (mark, now) }
            if mark.map({ effective.timeIntervalSince($0) >= Self.markResolution }) ?? true {
                do throws(LicenseError) { try writeTime(effective, to: markFile) } catch { check.markNotWritten = error }
            }
            return check
        }
    }

    private func status(at time: Date) -> LicenseStatus {
        do throws(LicenseError) {
            if let data = try readFile(licenseFile) {
                do { return .licensed(try verifier.verify(data, at: time)) } catch { return .invalid(error) }
            }
            var start = try readTime(evaluationFile)
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

    /// Verifies `data` and makes it the active license, atomically; on any error nothing changes.
    /// A license issued before the active one is refused (an old file replayed).
    package func activate(_ data: Data, now: Date) throws(LicenseError) -> License {
        try lock.withLock { _ throws(LicenseError) -> License in
            let effective = max(now, try readTime(markFile) ?? now)
            let license = try verifier.verify(data, at: effective)
            if let current = try readFile(licenseFile), let active = try? verifier.authenticate(current),
                active.terms.licenseID != license.terms.licenseID, license.terms.issuedAt < active.terms.issuedAt
            {
                throw LicenseError(
                    .superseded,
                    "issued \(LicenseVerifier.format(license.terms.issuedAt)), before the active license "
                        + "\(active.terms.licenseID) (issued \(LicenseVerifier.format(active.terms.issuedAt)))"
                )
            }
            try write(data, to: licenseFile)
            return license
        }
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
