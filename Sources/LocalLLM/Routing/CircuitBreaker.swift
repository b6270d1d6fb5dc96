/// A circuit breaker as a pure state machine: events in, decisions out, no I/O and no clock.
///
/// closed --(failureThreshold consecutive failures)--> open --(openDuration elapsed, one trial
/// permitted)--> halfOpen --(trial succeeds)--> closed, or --(trial fails)--> open again.
package struct CircuitBreaker: Sendable, Equatable {
    package struct Configuration: Sendable, Equatable {
        package var failureThreshold: Int
        package var openDuration: Duration

        package init(failureThreshold: Int = 5, openDuration: Duration = .seconds(30)) {
            self.failureThreshold = failureThreshold
            self.openDuration = openDuration
        }
    }

    package enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        /// One trial request is in flight; everything else is rejected until it reports.
        case halfOpen
    }

    /// What a caller may do now.
    package enum Permit: Sendable, Equatable {
        case allowed
        /// The single trial request of the half-open state: its outcome decides the state.
        case trial
        case rejected
    }

    package let configuration: Configuration
    package private(set) var state: State = .closed(consecutiveFailures: 0)

    package init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Whether a request could be admitted at `now`, without changing state.
    package func isAvailable(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: true
        case .open(let until): now >= until
        case .halfOpen: false
        }
    }

    /// Asks to send one request at `now`.
    package mutating func permit(at now: ContinuousClock.Instant) -> Permit {
        switch state {
        case .closed:
            return .allowed
        case .open(let until):
            guard now >= until else { return .rejected }
            state = .halfOpen
            return .trial
        case .halfOpen:
            return .rejected
        }
    }

    package mutating func recordSuccess() {
        state = .closed(consecutiveFailures: 0)
    }

    package mutating func recordFailure(at now: ContinuousClock.Instant) {
        switch state {
        case .closed(let failures):
            let failures = failures + 1
            state =
                failures >= configuration.failureThreshold
                ? .open(until: now + configuration.openDuration)
                : .closed(consecutiveFailures: failures)
        case .halfOpen:
            state = .open(until: now + configuration.openDuration)
        case .open:
            break
        }
    }

    /// A trial that ended without a verdict (the caller gave up): let the next caller try.
    package mutating func abandonTrial(at now: ContinuousClock.Instant) {
        if state == .halfOpen { state = .open(until: now) }
    }

    /// Short name for metrics and logs.
    package var stateName: String {
        switch state {
        case .closed: "closed"
        case .open: "open"
        case .halfOpen: "half_open"
        }
    }
}
