import Synchronization

/// One inference host at run time: its configuration plus the small hot state that balancing,
/// the breaker and health probes share (behind a `Mutex`; every critical section is a few loads).
package final class UpstreamHost: Sendable {
    /// What the last active probe said.
    package enum Health: String, Sendable {
        /// No probe has answered yet; the host is tried.
        case unknown
        case healthy
        /// The host answers but is not ready (llama.cpp 503 while loading a model).
        case loading
        case down
    }

    package struct Snapshot: Sendable {
        package var outstanding: Int
        package var health: Health
        package var breakerState: String
        package var available: Bool
    }

    private struct State {
        var outstanding = 0
        var breaker: CircuitBreaker
        var health: Health = .unknown
        var failedProbes = 0
    }

    package let configuration: UpstreamHostConfiguration
    /// Stable identifier used in metrics, logs and affinity hashing: `pool/index`.
    package let id: String
    private let state: Mutex<State>

    package init(id: String, configuration: UpstreamHostConfiguration, breaker: CircuitBreaker.Configuration) {
        self.id = id
        self.configuration = configuration
        self.state = Mutex(State(breaker: CircuitBreaker(configuration: breaker)))
    }

    package func snapshot(at now: ContinuousClock.Instant) -> Snapshot {
        state.withLock { state in
            Snapshot(
                outstanding: state.outstanding,
                health: state.health,
                breakerState: state.breaker.stateName,
                available: Self.eligible(state, at: now)
            )
        }
    }

    private static func eligible(_ state: State, at now: ContinuousClock.Instant) -> Bool {
        (state.health == .unknown || state.health == .healthy) && state.breaker.isAvailable(at: now)
    }

    /// Whether the host is usable and below `max_concurrent`.
    func hasRoom(at now: ContinuousClock.Instant) -> Bool {
        state.withLock { state in state.outstanding < configuration.maxConcurrent && Self.eligible(state, at: now) }
    }

    /// Claims a slot for one request, or returns nil when the host is full, unhealthy or its
    /// breaker refuses. A claim must be ended with ``finish(_:isTrial:at:)``.
    package func tryBegin(at now: ContinuousClock.Instant) -> CircuitBreaker.Permit? {
        state.withLock { state in
            guard state.outstanding < configuration.maxConcurrent,
                state.health == .unknown || state.health == .healthy
            else { return nil }
            let permit = state.breaker.permit(at: now)
            guard permit != .rejected else { return nil }
            state.outstanding += 1
            return permit
        }
    }

    /// The outcome of a claimed request, as the breaker sees it.
    package enum Outcome: Sendable {
        case success
        case failure
        /// Ended for a reason that says nothing about the host (client went away).
        case neutral
    }

    package func finish(_ outcome: Outcome, isTrial: Bool, at now: ContinuousClock.Instant) {
        state.withLock { state in
            state.outstanding -= 1
            switch outcome {
            case .success: state.breaker.recordSuccess()
            case .failure: state.breaker.recordFailure(at: now)
            case .neutral: if isTrial { state.breaker.abandonTrial(at: now) }
            }
        }
    }

    /// Records an active probe's answer.
    package func recordProbe(_ health: Health, unhealthyAfter: Int, at now: ContinuousClock.Instant) {
        state.withLock { state in
            switch health {
            case .healthy:
                state.failedProbes = 0
                state.health = .healthy
                // A host that answers its probe may take the breaker's trial right away.
                if case .open = state.breaker.state, state.breaker.isAvailable(at: now) {
                    _ = state.breaker.permit(at: now)
                    state.breaker.recordSuccess()
                }
            case .loading:
                state.failedProbes = 0
                state.health = .loading
            case .down, .unknown:
                state.failedProbes += 1
                if state.failedProbes >= unhealthyAfter { state.health = .down }
            }
        }
    }
}
