import Crypto
package import Foundation

/// Checks a license file offline, in the order that trusts nothing early: the envelope, a key id
/// this build knows, the signature over the exact payload bytes, and only then the terms inside
/// (well-formed, this machine, valid at `now`).
package struct LicenseVerifier: Sendable {
    package let vendorKeys: VendorKeys
    package let machine: MachineFingerprint

    package init(vendorKeys: VendorKeys = .builtIn, machine: MachineFingerprint) {
        self.vendorKeys = vendorKeys
        self.machine = machine
    }

    /// The verified license, or the first reason it is refused.
    package func verify(_ data: Data, at now: Date) throws(LicenseError) -> License {
        let license = try authenticate(data)
        let terms = license.terms
        try checkMachine(terms)
        guard now >= terms.notBefore else {
            throw LicenseError(.notYetValid, "valid from \(Self.format(terms.notBefore)), it is \(Self.format(now))")
        }
        guard now < terms.notAfter else {
            throw LicenseError(.expired, "expired at \(Self.format(terms.notAfter)), it is \(Self.format(now))")
        }
        return license
    }

    /// This host is the license's: any `machine_threshold` of its component digests are this
    /// host's, or (licenses without components) its machine-id fingerprint is.
    package func checkMachine(_ terms: LicenseTerms) throws(LicenseError) {
        guard let components = terms.machineComponents else {
            guard terms.machine == machine.value else {
                throw LicenseError(.wrongMachine, "issued for machine \(terms.machine.prefix(12))…, this is \(machine.value.prefix(12))…")
            }
            return
        }
        let present = Set(machine.components.map(\.digest))
        let matched = components.filter(present.contains).count
        let required = terms.machineThreshold ?? MachineFingerprint.defaultThreshold(count: components.count)
        guard matched >= required else {
            throw LicenseError(
                .wrongMachine,
                "issued for another machine: \(matched) of its \(components.count) machine components are this host's, \(required) required"
            )
        }
    }

    /// The license if the vendor signed it and its terms are well-formed, whatever machine or
    /// time it is for.
    package func authenticate(_ data: Data) throws(LicenseError) -> License {
        let envelope = try SignedLicense.parse(data)
        guard let key = vendorKeys[envelope.keyID] else {
            throw LicenseError(.unknownKey, "signed with key '\(envelope.keyID)', which this build does not trust")
        }
        guard key.isValidSignature(envelope.signature, for: envelope.payload) else {
            throw LicenseError(.badSignature, "the signature does not match the license terms (edited, or not signed by the vendor)")
        }
        let terms: LicenseTerms
        try LicenseFileShape.check(envelope.payload, what: "license terms")
        do { terms = try LicenseJSON.decoder.decode(LicenseTerms.self, from: envelope.payload) } catch {
            throw LicenseError(.malformed, "license terms: \(LicenseJSON.describe(error))")
        }
        try terms.validate()
        return License(terms: terms, keyID: envelope.keyID)
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// A license whose signature and terms have been checked.
package struct License: Sendable, Equatable {
    package let terms: LicenseTerms
    package let keyID: String

    package func grants(_ entitlement: String) -> Bool {
        terms.entitlements.contains(entitlement)
    }
}
