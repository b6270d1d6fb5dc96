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
    }

    /// False only when governance is switched off in the configuration (to measure its cost).
    package let enabled: Bool
    private let current: Mutex<Active>

    package init(policy: Policy, source: String, enabled: Bool = true) {
        self.enabled = enabled
        self.current = Mutex(Active(policy: policy, detectors: Detectors(exfiltration: policy.exfiltration), source: source))
    }

    package var active: Active { current.withLock { $0 } }

    /// The store for a configuration: its policy file, else the built-in default.
    package static func load(_ settings: GovernanceSettings) throws -> PolicyStore {
        guard let file = settings.policyFile else {
            return PolicyStore(policy: DefaultPolicy.policy, source: "built-in default", enabled: settings.enabled)
        }
        return PolicyStore(policy: try PolicyReader.load(path: file), source: file, enabled: settings.enabled)
    }

    package func replace(with policy: Policy, source: String) {
        let active = Active(policy: policy, detectors: Detectors(exfiltration: policy.exfiltration), source: source)
        current.withLock { $0 = active }
    }

    /// The inspector for one caller, or nil when governance is off.
    package func inspector(key: String, team: String) -> ContentInspector? {
        guard enabled else { return nil }
        let active = self.active
        return ContentInspector(detectors: active.detectors, policy: active.policy.effective(key: key, team: team))
    }
}
