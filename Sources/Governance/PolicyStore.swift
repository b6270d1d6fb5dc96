package import Detection
import Synchronization

/// The policy in force, replaced whole and atomically: a request sees one policy from start to
/// end. A policy that fails validation never gets here (``PolicyReader`` refuses it first), so
/// the running policy stays until a valid one replaces it.
package final class PolicyStore: Sendable {
    package struct Active: Sendable {
        package let policy: Policy
        package let detectors: Detectors
        /// Where it came from: `built-in default`, a file path, a bundle version.
        package let source: String
        /// The signed bundle's version when one is in force: a policy file does not replace it.
        package let bundleVersion: UInt64?

        /// How audit records name it: `bundle:N` for a signed bundle, else `sha256:` and the
        /// first 16 hex digits of its document's digest (`policy show` prints the whole).
        package var version: String {
            bundleVersion.map { "bundle:\($0)" } ?? "sha256:" + policy.digest.prefix(16)
        }
    }

    /// False only when governance is switched off in the configuration (to measure its cost).
    package let enabled: Bool
    private let current: Mutex<Active>

    package init(policy: Policy, source: String, bundleVersion: UInt64? = nil, enabled: Bool = true) {
        self.enabled = enabled
        let active = Active(
            policy: policy,
            detectors: Detectors(exfiltration: policy.exfiltration),
            source: source,
            bundleVersion: bundleVersion
        )
        self.current = Mutex(active)
    }

    package var active: Active { current.withLock { $0 } }

    /// The store for a configuration: its policy file, else the built-in default.
    /// The store for a configuration and the installed signed bundle, which wins over the file.
    package static func load(_ settings: GovernanceSettings, bundle: (version: UInt64, policy: Policy)? = nil) throws -> PolicyStore {
        if let bundle {
            return PolicyStore(
                policy: bundle.policy,
                source: "signed bundle version \(bundle.version)",
                bundleVersion: bundle.version,
                enabled: settings.enabled
            )
        }
        guard let file = settings.policyFile else {
            return PolicyStore(policy: DefaultPolicy.policy, source: "built-in default", enabled: settings.enabled)
        }
        return PolicyStore(policy: try PolicyReader.load(path: file), source: file, enabled: settings.enabled)
    }

    /// Puts `policy` in force for every request that starts from now on; requests already
    /// admitted finish under the policy they started with (their inspector holds it).
    package func replace(with policy: Policy, source: String, bundleVersion: UInt64? = nil) {
        let active = Active(
            policy: policy,
            detectors: Detectors(exfiltration: policy.exfiltration),
            source: source,
            bundleVersion: bundleVersion
        )
        current.withLock { $0 = active }
    }

    /// Puts a policy file's policy in force unless a signed bundle is (which only a newer bundle
    /// or a rollback replaces); whether it did.
    package func replaceUnlessBundled(with policy: Policy, source: String) -> Bool {
        let active = Active(policy: policy, detectors: Detectors(exfiltration: policy.exfiltration), source: source, bundleVersion: nil)
        return current.withLock { current in
            guard current.bundleVersion == nil else { return false }
            current = active
            return true
        }
    }

    /// The inspector for one caller, or nil when governance is off.
    package func inspector(key: String, team: String) -> ContentInspector? {
        guard enabled else { return nil }
        let active = self.active
        return ContentInspector(
            detectors: active.detectors,
            policy: active.policy.effective(key: key, team: team),
            policyVersion: active.version
        )
    }
}
