import AdminAPI
import ArgumentParser
import Audit
import Foundation
import Gateway
import License
import Logging

/// `tappass license request|activate|show`: offline activation by file exchange. `request`
/// writes what the vendor needs (this machine's fingerprint, never its raw id); `activate`
/// verifies the vendor's signed answer and installs it, through the running service when it is
/// up (the change applies at once), otherwise on the state folder directly.
struct LicenseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license",
        abstract: "Offline license activation and status.",
        subcommands: [Request.self, Activate.self, Show.self]
    )

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an activation request for the vendor (carry it over; the answer is license.json)."
        )
        @OptionGroup var source: ConfigurationSource
        @Option(help: "Write to this file instead of stdout.") var output: String?

        func run() async throws {
            // The request describes this machine for a license: an administrator's step, like
            // activating the answer.
            // (A configuration that cannot be read leaves the default paths to judge by.)
            let gateway = (try? ApplianceConfiguration.load(path: source.path))?.gateway ?? GatewayConfiguration()
            guard Self.mayAdminister(gateway) else {
                LicenseCommand.fail(
                    "license request is for administrators: run it as root or as a member of the service's group "
                        + "(the one that owns \(gateway.adminSocketPath))",
                    exit: 1
                )
            }
            let machine = try LicenseCommand.machine()
            let request = ActivationRequest(
                machine: machine,
                hostname: ProcessInfo.processInfo.hostName,
                productVersion: TappassCommand.version,
                createdAt: Date()
            )
            let data = try request.encoded() + Data("\n".utf8)
            if let output {
                try data.write(to: URL(fileURLWithPath: output))
                FileHandle.standardError.write(Data("wrote activation request \(request.requestID) to \(output)\n".utf8))
            } else {
                FileHandle.standardOutput.write(data)
            }
        }

        /// Root, or whoever may write to the admin socket or the state folder.
        static func mayAdminister(_ gateway: GatewayConfiguration) -> Bool {
            geteuid() == 0 || access(gateway.adminSocketPath, W_OK) == 0 || access(gateway.stateDirectory, W_OK) == 0
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a signed license file and make it the active license (a refused file changes nothing)."
        )
        @OptionGroup var source: ConfigurationSource
        @Argument(help: "The license file the vendor sent (license.json).") var file: String

        func run() async throws {
            // No more than a license can be, and one byte over: a larger file is refused by the
            // same check, with the same event, through the service or not.
            let data: Data
            do {
                let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
                data = try handle.read(upToCount: LicenseFileShape.maxBytes + 1) ?? Data()
                try handle.close()
            } catch {
                LicenseCommand.fail("cannot read \(file): \(error.localizedDescription)", exit: 2)
            }
            let origin = URL(fileURLWithPath: file).standardizedFileURL.path
            let configuration = try source.load()
            let summary: LicenseSummary
            if let admin = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) {
                defer { Task { await admin.close() } }
                let (status, body) = try await admin.request(
                    "POST",
                    "/license/activate",
                    body: try JSONEncoder.admin.encode(LicenseActivateRequest(source: origin, license: data))
                )
                guard status == 200 else {
                    let message = (try? JSONDecoder.admin.decode(AdminErrorBody.self, from: body).error) ?? "status \(status)"
                    LicenseCommand.fail("license refused: \(message)", exit: status == 422 ? 2 : 1)
                }
                summary = try JSONDecoder.admin.decode(LicenseSummary.self, from: body)
            } else {
                summary = try activateDirectly(data, origin: origin, configuration: configuration.gateway)
            }
            print("activated: \(summary.detail)")
            if let line = LicenseCommand.seatLine(summary) { print(line) }
        }

        /// No service runs: install on the state folder and append the audit event ourselves.
        private func activateDirectly(_ data: Data, origin: String, configuration: GatewayConfiguration) throws -> LicenseSummary {
            let machine = try LicenseCommand.machine()
            let audit: AuditLog
            do { audit = try AuditLog(configuration: configuration, logger: .init(label: "tappass.license")) } catch {
                LicenseCommand.fail("cannot open the audit log, so nothing is activated: \(error)", exit: 1)
            }
            let store = LicenseStore(stateDirectory: configuration.stateDirectory, verifier: LicenseVerifier(machine: machine))
            do {
                // What the audit log remembers counts, however the state folder was edited.
                let history = (try? AuditedLicenseHistory(audit)) ?? AuditedLicenseHistory()
                let time = LicenseClock().read(floor: audit.latestTime).license
                let license = try store.activate(data, now: time, known: history.activations)
                try audit.appendWithoutService([.event("license.activated", detail: LicenseEvents.activated(license, source: origin))])
                return LicenseSummary(store.check(now: Date()).status, machine: machine)
            } catch let error as LicenseError {
                try audit.appendWithoutService([.event("license.refused", detail: LicenseEvents.refused(error, source: origin))])
                LicenseCommand.fail("license refused: \(error) (the license in force stays)", exit: 2)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the license state: licensed, evaluation, or why not.")
        @OptionGroup var source: ConfigurationSource
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let configuration = try source.load()
            let summary: LicenseSummary
            if let admin = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) {
                defer { Task { await admin.close() } }
                do { summary = try await admin.call("GET", "/license", body: String?.none, expect: 200) } catch {
                    LicenseCommand.fail("\(error)", exit: 1)
                }
            } else {
                let machine = try LicenseCommand.machine()
                let store = LicenseStore(stateDirectory: configuration.gateway.stateDirectory, verifier: LicenseVerifier(machine: machine))
                summary = LicenseSummary(store.check(now: Date()).status, machine: machine)
            }
            if json {
                print(String(decoding: try JSONEncoder.admin.encode(summary), as: UTF8.self))
                return
            }
            var rows: [(String, String?)] = [
                ("state", summary.state), ("detail", summary.detail), ("serving", summary.serving ? "yes" : "no"),
            ]
            rows += [
                ("license id", summary.licenseID), ("customer", summary.customer), ("org id", summary.orgID), ("edition", summary.edition),
            ]
            rows += [
                ("seats", summary.seats.map(String.init)),
                ("seat use", LicenseCommand.seatLine(summary)),
                ("seat holders", summary.seatHolders.isEmpty ? nil : summary.seatHolders.joined(separator: ", ")),
                ("over seats", summary.overSeats.isEmpty ? nil : summary.overSeats.joined(separator: ", ")),
                ("entitlements", summary.entitlements.isEmpty ? nil : summary.entitlements.joined(separator: ", ")),
            ]
            rows += [("valid until", summary.validUntil?.formatted(.iso8601)), ("machine", summary.machine)]
            rows += [("components", LicenseCommand.componentLine())]
            rows += [
                (
                    "clock",
                    summary.clockBehindSeconds.map {
                        "the system clock is \($0) s behind the latest time seen; license time goes on from there (more than a day: traffic refused)"
                    }
                )
            ]
            for (name, value) in rows {
                guard let value else { continue }
                print((name + ":").padding(toLength: 14, withPad: " ", startingAt: 0) + value)
            }
        }
    }

    /// What this host's fingerprint is made of, by kind: "machine-id, root-filesystem,
    /// network-interface x2" (no values: those stay on the box).
    static func componentLine() -> String? {
        guard let machine = try? MachineFingerprint.current() else { return nil }
        var counts: [(MachineFingerprint.Component.Kind, Int)] = []
        for kind in MachineFingerprint.Component.Kind.allCases {
            let count = machine.components.filter { $0.kind == kind }.count
            if count > 0 { counts.append((kind, count)) }
        }
        return counts.map { $0.1 > 1 ? "\($0.0.rawValue) x\($0.1)" : $0.0.rawValue }.joined(separator: ", ")
    }

    /// "7 users hold active keys for 5 seats: 2 over, served until …, then refused".
    static func seatLine(_ summary: LicenseSummary) -> String? {
        guard let seats = summary.seats else { return nil }
        let users = summary.seatHolders.count + summary.overSeats.count
        var line = "\(users) user\(users == 1 ? "" : "s") hold active keys for \(seats) seat\(seats == 1 ? "" : "s")"
        if !summary.overSeats.isEmpty {
            line += ": \(summary.overSeats.count) over (\(summary.overSeats.joined(separator: ", "))), served until "
            line += (summary.seatGraceEnds?.formatted(.iso8601) ?? "the grace period ends") + ", then refused; "
            line += "revoke keys (tappass keys revoke) or activate a license with more seats"
        }
        return line
    }

    /// The seats the license on the state folder covers (no service running); nil while
    /// evaluating, or when this machine cannot be identified (then no license verifies either).
    static func seatLimit(stateDirectory: String) -> Int? {
        guard let machine = try? MachineFingerprint.current() else { return nil }
        return LicenseStore(stateDirectory: stateDirectory, verifier: LicenseVerifier(machine: machine)).check(now: Date()).status.seats
    }

    static func machine() throws -> MachineFingerprint {
        do { return try MachineFingerprint.current() } catch {
            fail("\(error) (run systemd-machine-id-setup)", exit: 1)
        }
    }

    static func fail(_ message: String, exit code: Int32) -> Never {
        FileHandle.standardError.write(Data("tappass: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
