import ArgumentParser
import Crypto
import Foundation
import License

/// `tappass-license-issuer`: the vendor's side of offline activation. It reads a customer's
/// activation request and writes the signed `license.json` that `tappass license activate`
/// installs. A vendor tool: built from this package, never put in the .deb.
@main
struct LicenseIssuerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tappass-license-issuer",
        abstract: "Issue signed TapPass licenses (vendor side; never shipped).",
        subcommands: [Keygen.self, Issue.self]
    )

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a license-signing key pair; prints the public half.")
        @Option(help: "Where to write the private key (base64 of the 32-byte seed, mode 0600).") var out: String

        func run() throws {
            let key = Curve25519.Signing.PrivateKey()
            guard
                FileManager.default.createFile(
                    atPath: out,
                    contents: Data(key.rawRepresentation.base64EncodedString().utf8),
                    attributes: [.posixPermissions: 0o600]
                )
            else {
                throw ValidationError("cannot write \(out)")
            }
            print(key.publicKey.rawRepresentation.base64EncodedString())
        }
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a license for the machine an activation request names.")
        @Option(help: "The vendor's private key file (from keygen).") var signingKey: String
        @Option(help: "The id the appliance knows that key by.") var keyID: String
        @Option(help: "The customer's activation request (from `tappass license request`).") var request: String
        @Option var customer: String
        @Option(help: "The customer's organisation id (policy bundles must name it).") var orgID: String
        @Option var edition: String = "enterprise"
        @Option(help: "Number of seats.") var seats: Int = 25
        @Option(help: "Valid for this many days from --not-before.") var days: Int = 365
        @Option(help: "Valid from (ISO 8601; default now).") var notBefore: String?
        @Option(help: "Issue time (ISO 8601; default now).") var issuedAt: String?
        @Option(name: .customLong("entitlement"), help: "A feature the license turns on (repeat).") var entitlements: [String] = [
            "gateway", "governance", "audit",
        ]
        @Option(name: .customLong("policy-key"), help: "An org policy-signing key as ID=BASE64 (repeat).") var policyKeys: [String] = []
        @Option(help: "How many policy keys must sign a bundle.") var policyThreshold: Int = 1
        @Option(help: "How many of the machine's components must match (default: all of one or two, one fewer from three).")
        var machineThreshold: Int?
        @Option(help: "The license id (default: a new UUID).") var licenseID: String?
        @Option(help: "Write to this file instead of stdout.") var output: String?

        func run() throws {
            let seed = try String(contentsOfFile: signingKey, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let raw = Data(base64Encoded: seed), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
                throw ValidationError("\(signingKey): expected base64 of a 32-byte Ed25519 seed")
            }
            let activation = try ActivationRequest.parse(try Data(contentsOf: URL(fileURLWithPath: request)))
            let now = Date()
            let start = try notBefore.map { try Self.date($0, option: "--not-before") } ?? now
            let keys = try policyKeys.map { text -> LicenseTerms.PolicyKey in
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--policy-key: expected ID=BASE64, got '\(text)'") }
                return LicenseTerms.PolicyKey(id: parts[0], publicKey: parts[1])
            }
            let terms = LicenseTerms(
                licenseID: licenseID ?? UUID().uuidString.lowercased(),
                customer: customer,
                orgID: orgID,
                edition: edition,
                entitlements: entitlements,
                seats: seats,
                issuedAt: try issuedAt.map { try Self.date($0, option: "--issued-at") } ?? now,
                notBefore: start,
                notAfter: start.addingTimeInterval(TimeInterval(days) * 86_400),
                machine: activation.machine,
                machineComponents: activation.components.map { $0.map(\.digest) },
                machineThreshold: try activation.components.map { components in
                    let threshold = machineThreshold ?? MachineFingerprint.defaultThreshold(count: components.count)
                    guard (min(2, components.count)...components.count).contains(threshold) else {
                        throw ValidationError(
                            "--machine-threshold: between \(min(2, components.count)) and \(components.count), got \(threshold)"
                        )
                    }
                    return threshold
                },
                activationRequest: activation.requestID,
                policyKeys: keys,
                policyThreshold: policyThreshold
            )
            // What an appliance would refuse is not signed: malformed terms (seats < 1, validity
            // reversed), or an issue time so far ahead that it would lock out every later license.
            do { try terms.validate() } catch { throw ValidationError("refusing to sign: \(error.message)") }
            guard terms.issuedAt <= now.addingTimeInterval(LicenseStore.issuedAheadTolerance) else {
                throw ValidationError("--issued-at: at most a day ahead of now, got \(issuedAt ?? "")")
            }
            let data = try SignedLicense.sign(terms, keyID: keyID, with: key).encoded() + Data("\n".utf8)
            if let output { try data.write(to: URL(fileURLWithPath: output)) } else { FileHandle.standardOutput.write(data) }
        }

        static func date(_ text: String, option: String) throws -> Date {
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw ValidationError("\(option): expected an ISO 8601 time, got '\(text)'")
            }
            return date
        }
    }
}
