import Governance
package import LocalLLM
import Synchronization

/// The part of the configuration a running service can change without a restart: pools and
/// their hosts, model routes, request limits, upstream timeouts and the policy file. Replaced
/// whole and atomically on a reload (`tappass config reload`, SIGHUP); a request reads it once
/// per use and keeps the pools it was given. The rest (listen address and TLS, state and admin
/// socket paths, audit settings, governance on or off, the demo key) is fixed for the life of
/// the process: a reload that changes it says so and leaves it as it is.
package final class LiveConfiguration: Sendable {
    /// One configuration in force, shared by reference: reading it costs one retain.
    package final class Snapshot: Sendable {
        package let configuration: GatewayConfiguration
        package let pools: [UpstreamPool]
        package let router: ModelRouter

        init(configuration: GatewayConfiguration, pools: [UpstreamPool], router: ModelRouter) {
            self.configuration = configuration
            self.pools = pools
            self.router = router
        }
    }

    /// What a reload did.
    package struct Change: Sendable, Equatable {
        /// Sections now in force with new values (`upstreams`, `models`, `limits`, …).
        package var applied: [String] = []
        /// Sections whose new values wait for a restart.
        package var restartRequired: [String] = []
    }

    private let current: Mutex<Snapshot>
    private let changes: AsyncStream<Void>.Continuation
    /// Yields once per reload that changed the pools (the health checker follows it).
    package let poolChanges: AsyncStream<Void>

    package init(_ configuration: GatewayConfiguration) {
        let pools = configuration.pools.map(UpstreamPool.init(configuration:))
        let router = ModelRouter(routes: configuration.models, pools: pools)
        current = Mutex(Snapshot(configuration: configuration, pools: pools, router: router))
        (poolChanges, changes) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    package var snapshot: Snapshot { current.withLock { $0 } }

    /// Puts the live sections of `new` in force. A pool whose configuration did not change is
    /// kept as it is, with its hosts' health, breakers and requests in flight.
    @discardableResult
    package func apply(_ new: GatewayConfiguration) -> Change {
        let (change, poolsChanged) = current.withLock { snapshot -> (Change, Bool) in
            let old = snapshot.configuration
            var change = Change()
            var running = old
            if old.pools != new.pools { change.applied.append("upstreams") }
            if old.models != new.models { change.applied.append("models") }
            if old.limits != new.limits { change.applied.append("limits") }
            if old.timeouts != new.timeouts { change.applied.append("timeouts") }
            if old.governance.policyFile != new.governance.policyFile { change.applied.append("governance.policy_file") }
            running.pools = new.pools
            running.models = new.models
            running.limits = new.limits
            running.timeouts = new.timeouts
            running.governance.policyFile = new.governance.policyFile
            running.governance.streamWindow = new.governance.streamWindow
            if old.governance.streamWindow != new.governance.streamWindow { change.applied.append("governance.stream_window") }
            if old.listen != new.listen { change.restartRequired.append("listen") }
            if old.stateDirectory != new.stateDirectory { change.restartRequired.append("state_dir") }
            if old.adminSocketPath != new.adminSocketPath { change.restartRequired.append("admin_socket") }
            if old.audit != new.audit { change.restartRequired.append("audit") }
            if old.governance.enabled != new.governance.enabled { change.restartRequired.append("governance.enabled") }
            if old.demoKey != new.demoKey { change.restartRequired.append("demo key") }
            guard !change.applied.isEmpty else { return (change, false) }
            let kept = Dictionary(snapshot.pools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let pools = new.pools.map { configuration in
                kept[configuration.name].flatMap { $0.configuration == configuration ? $0 : nil }
                    ?? UpstreamPool(configuration: configuration)
            }
            snapshot = Snapshot(configuration: running, pools: pools, router: ModelRouter(routes: running.models, pools: pools))
            return (change, old.pools != new.pools)
        }
        if poolsChanged { changes.yield() }
        return change
    }
}
