import Detection

/// The `governance:` section of the configuration: whether the pipeline runs, which policy
/// file is in force (the built-in default when none), and the stream filter's hold-back window.
package struct GovernanceSettings: Sendable, Equatable {
    /// False switches detectors, policy and quotas off (authentication and the audit log stay);
    /// meant for measuring the pipeline's cost, not for production.
    package var enabled: Bool
    /// A policy YAML file; nil means the built-in default policy.
    package var policyFile: String?
    /// Bytes the stream filter holds back at least (see ``StreamFilter``).
    package var streamWindow: Int
    /// A folder the service watches for signed policy bundles (`*.tpb`); nil: none is watched.
    package var bundleInbox: String?

    package init(enabled: Bool = true, policyFile: String? = nil, streamWindow: Int = 32, bundleInbox: String? = nil) {
        self.enabled = enabled
        self.policyFile = policyFile
        self.streamWindow = streamWindow
        self.bundleInbox = bundleInbox
    }
}
