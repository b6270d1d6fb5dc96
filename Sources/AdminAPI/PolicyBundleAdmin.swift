package import Foundation

/// The signed-policy-bundle side of the admin API: the service wires in what imports, reports,
/// rolls back and pins (the appliance owns bundles, trust and the license); this carries the
/// messages between the CLI and those handlers.
package struct PolicyBundleAdmin: Sendable {
    package var importBundle: @Sendable (_ request: PolicyImportRequest) async -> PolicyImportOutcome
    package var status: @Sendable () async throws -> PolicyBundleStatus
    package var rollback: @Sendable (_ version: UInt64) async -> PolicyImportOutcome
    package var pin: @Sendable (_ request: PolicyTrustRequest) async -> PolicyTrustOutcome

    package init(
        importBundle: @escaping @Sendable (_ request: PolicyImportRequest) async -> PolicyImportOutcome,
        status: @escaping @Sendable () async throws -> PolicyBundleStatus,
        rollback: @escaping @Sendable (_ version: UInt64) async -> PolicyImportOutcome,
        pin: @escaping @Sendable (_ request: PolicyTrustRequest) async -> PolicyTrustOutcome
    ) {
        self.importBundle = importBundle
        self.status = status
        self.rollback = rollback
        self.pin = pin
    }
}

/// `tappass policy import FILE` as sent to the service: the file's bytes (read once, by the CLI)
/// and where they came from.
package struct PolicyImportRequest: Codable, Sendable {
    package var source: String
    package var bundle: Data

    package init(source: String, bundle: Data) {
        self.source = source
        self.bundle = bundle
    }
}

/// One installed bundle as `policy status` and `policy history` show it.
package struct BundleSummary: Codable, Sendable, Equatable {
    package var version: UInt64
    package var digest: String
    package var signers: [String]
    package var orgID: String
    package var created: Date
    package var expires: Date?
    package var installedAt: Date
    package var inForce: Bool

    package init(
        version: UInt64,
        digest: String,
        signers: [String],
        orgID: String,
        created: Date,
        expires: Date?,
        installedAt: Date,
        inForce: Bool
    ) {
        self.version = version
        self.digest = digest
        self.signers = signers
        self.orgID = orgID
        self.created = created
        self.expires = expires
        self.installedAt = installedAt
        self.inForce = inForce
    }
}

package enum PolicyImportOutcome: Sendable {
    /// Installed and in force.
    case installed(BundleSummary)
    /// The same bundle is installed already: nothing changed.
    case unchanged(BundleSummary)
    /// The stable code (`bad_signature`, `not_newer`, …) and the message; nothing changed.
    case refused(code: String, message: String)
}

/// The bundles on this appliance and whose signatures they need.
package struct PolicyBundleStatus: Codable, Sendable {
    /// The highest version ever installed: nothing at or below it is imported again.
    package var highest: UInt64
    package var installed: [BundleSummary]
    /// Where trust comes from (`the license …`, `pinned keys …`, or why there is none).
    package var trust: String
    package var policySource: String

    package init(highest: UInt64, installed: [BundleSummary], trust: String, policySource: String) {
        self.highest = highest
        self.installed = installed
        self.trust = trust
        self.policySource = policySource
    }
}

/// `tappass policy trust add|remove`: pin a key (with the organisation and threshold) or unpin one.
package struct PolicyTrustRequest: Codable, Sendable {
    package enum Action: String, Codable, Sendable { case add, remove }
    package var action: Action
    package var keyID: String
    package var publicKey: String?
    package var orgID: String?
    package var threshold: Int?

    package init(action: Action, keyID: String, publicKey: String? = nil, orgID: String? = nil, threshold: Int? = nil) {
        self.action = action
        self.keyID = keyID
        self.publicKey = publicKey
        self.orgID = orgID
        self.threshold = threshold
    }
}

package enum PolicyTrustOutcome: Sendable {
    /// The pinned keys after the change, one line each.
    case changed([String])
    case refused(String)
}

/// The refusal body of the bundle routes: the stable code and the message.
package struct BundleRefusalBody: Codable, Sendable {
    package var code: String
    package var error: String

    package init(code: String, error: String) {
        self.code = code
        self.error = error
    }
}

/// The answer to an import or a rollback that changed something or found nothing to change.
package struct PolicyImportResponse: Codable, Sendable {
    /// `installed`, `unchanged` or `rolled-back`.
    package var outcome: String
    package var bundle: BundleSummary

    package init(outcome: String, bundle: BundleSummary) {
        self.outcome = outcome
        self.bundle = bundle
    }
}

package struct PolicyRollbackRequest: Codable, Sendable {
    package var version: UInt64

    package init(version: UInt64) {
        self.version = version
    }
}

package struct PolicyTrustResponse: Codable, Sendable {
    package var pinned: [String]

    package init(pinned: [String]) {
        self.pinned = pinned
    }
}
