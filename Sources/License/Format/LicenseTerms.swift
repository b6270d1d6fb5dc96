package import Foundation

/// What a license grants: the signed payload of a license file. The vendor writes it, the
/// appliance only reads it, after the signature over its exact bytes has been checked.
package struct LicenseTerms: Codable, Sendable, Equatable {
    package var licenseID: String
    package var customer: String
    /// The customer's organisation id; policy bundles must name the same one.
    package var orgID: String
    /// `evaluation`, `standard`, `enterprise`, …: shown, and used by entitlements.
    package var edition: String
    /// Feature names the license turns on (`gateway`, `anthropic`, `audit-export`, …).
    package var entitlements: [String]
    /// How many people (distinct key users) the license covers.
    package var seats: Int
    package var issuedAt: Date
    package var notBefore: Date
    package var notAfter: Date
    /// The ``MachineFingerprint`` of the one host this license is for.
    package var machine: String
    /// The host's component digests (``MachineFingerprint/Component``): when present, the
    /// license binds to any `machineThreshold` of them instead of `machine` alone.
    package var machineComponents: [String]?
    package var machineThreshold: Int?
    /// The activation request this license answers (its `request_id`), when there was one.
    package var activationRequest: String?
    /// The organisation's policy-signing public keys (Ed25519, base64 of the raw 32 bytes).
    package var policyKeys: [PolicyKey]
    /// How many of `policyKeys` must sign a policy bundle.
    package var policyThreshold: Int

    package struct PolicyKey: Codable, Sendable, Equatable {
        package var id: String
        package var publicKey: String

        package init(id: String, publicKey: String) {
            self.id = id
            self.publicKey = publicKey
        }

        enum CodingKeys: String, CodingKey {
            case id
            case publicKey = "public_key"
        }
    }

    package init(
        licenseID: String,
        customer: String,
        orgID: String,
        edition: String,
        entitlements: [String],
        seats: Int,
        issuedAt: Date,
        notBefore: Date,
        notAfter: Date,
        machine: String,
        machineComponents: [String]? = nil,
        machineThreshold: Int? = nil,
        activationRequest: String? = nil,
        policyKeys: [PolicyKey] = [],
        policyThreshold: Int = 1
    ) {
        self.licenseID = licenseID
        self.customer = customer
        self.orgID = orgID
        self.edition = edition
        self.entitlements = entitlements
        self.seats = seats
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.machine = machine
        self.machineComponents = machineComponents
        self.machineThreshold = machineThreshold
        self.activationRequest = activationRequest
        self.policyKeys = policyKeys
        self.policyThreshold = policyThreshold
    }

    enum CodingKeys: String, CodingKey {
        case licenseID = "license_id"
        case customer
        case orgID = "org_id"
        case edition
        case entitlements
        case seats
        case issuedAt = "issued_at"
        case notBefore = "not_before"
        case notAfter = "not_after"
        case machine
        case machineComponents = "machine_components"
        case machineThreshold = "machine_threshold"
        case activationRequest = "activation_request"
        case policyKeys = "policy_keys"
        case policyThreshold = "policy_threshold"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        licenseID = try container.decode(String.self, forKey: .licenseID)
        customer = try container.decode(String.self, forKey: .customer)
        orgID = try container.decode(String.self, forKey: .orgID)
        edition = try container.decode(String.self, forKey: .edition)
        entitlements = try container.decode([String].self, forKey: .entitlements)
        seats = try container.decode(Int.self, forKey: .seats)
        issuedAt = try container.decode(Date.self, forKey: .issuedAt)
        notBefore = try container.decode(Date.self, forKey: .notBefore)
        notAfter = try container.decode(Date.self, forKey: .notAfter)
        machine = try container.decode(String.self, forKey: .machine)
        machineComponents = try container.decodeIfPresent([String].self, forKey: .machineComponents)
        machineThreshold = try container.decodeIfPresent(Int.self, forKey: .machineThreshold)
        activationRequest = try container.decodeIfPresent(String.self, forKey: .activationRequest)
        policyKeys = try container.decodeIfPresent([PolicyKey].self, forKey: .policyKeys) ?? []
        policyThreshold = try container.decodeIfPresent(Int.self, forKey: .policyThreshold) ?? 1
    }

    /// The checks a signature cannot make: values in range and consistent with each other.
    package func validate() throws(LicenseError) {
        func fail(_ field: String, _ expected: String) -> LicenseError {
            LicenseError(.malformed, "field '\(field)': expected \(expected)")
        }
        if licenseID.isEmpty { throw fail("license_id", "a non-empty id") }
        if orgID.isEmpty { throw fail("org_id", "a non-empty organisation id") }
        if seats < 1 { throw fail("seats", "at least 1, got \(seats)") }
        if notAfter <= notBefore { throw fail("not_after", "a time after not_before") }
        if machine.count != 64 || !machine.allSatisfy(\.isHexDigit) { throw fail("machine", "a 64-character machine fingerprint") }
        if let components = machineComponents {
            if components.isEmpty { throw fail("machine_components", "at least one component digest") }
            for (index, digest) in components.enumerated() where digest.count != 64 || !digest.allSatisfy(\.isHexDigit) {
                throw fail("machine_components[\(index)]", "a 64-character SHA-256")
            }
            if Set(components).count != components.count { throw fail("machine_components", "distinct digests") }
            let threshold = machineThreshold ?? MachineFingerprint.defaultThreshold(count: components.count)
            let least = min(2, components.count)
            if !(least...components.count).contains(threshold) {
                throw fail("machine_threshold", "between \(least) and \(components.count) (the number of components), got \(threshold)")
            }
        } else if machineThreshold != nil {
            throw fail("machine_threshold", "only with machine_components")
        }
        for (index, key) in policyKeys.enumerated() where Data(base64Encoded: key.publicKey)?.count != 32 {
            throw fail("policy_keys[\(index)].public_key", "base64 of a 32-byte Ed25519 public key")
        }
        if !policyKeys.isEmpty, !(1...policyKeys.count).contains(policyThreshold) {
            throw fail("policy_threshold", "between 1 and \(policyKeys.count) (the number of policy keys), got \(policyThreshold)")
        }
    }
}
