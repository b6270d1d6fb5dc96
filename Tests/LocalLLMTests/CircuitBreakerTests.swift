import Testing

@testable import LocalLLM

@Suite struct CircuitBreakerTests {
    let start = ContinuousClock.now
    let configuration = CircuitBreaker.Configuration(failureThreshold: 3, openDuration: .seconds(10))

    @Test func staysClosedBelowThreshold() {
        var breaker = CircuitBreaker(configuration: configuration)
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start)
        #expect(breaker.state == .closed(consecutiveFailures: 2))
        #expect(breaker.permit(at: start) == .allowed)
    }

    @Test func successResetsTheCount() {
        var breaker = CircuitBreaker(configuration: configuration)
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start)
        breaker.recordSuccess()
        breaker.recordFailure(at: start)
        #expect(breaker.state == .closed(consecutiveFailures: 1))
    }

    @Test func opensAtThresholdAndRejectsUntilTheOpenPeriodEnds() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<3 { breaker.recordFailure(at: start) }
        #expect(breaker.state == .open(until: start + .seconds(10)))
        #expect(breaker.permit(at: start + .seconds(9)) == .rejected)
        #expect(!breaker.isAvailable(at: start + .seconds(9)))
        #expect(breaker.isAvailable(at: start + .seconds(10)))
    }

    @Test func halfOpenAdmitsExactlyOneTrial() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<3 { breaker.recordFailure(at: start) }
        #expect(breaker.permit(at: start + .seconds(11)) == .trial)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.permit(at: start + .seconds(11)) == .rejected)
    }

    @Test(arguments: [true, false])
    func trialOutcomeDecides(succeeds: Bool) {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<3 { breaker.recordFailure(at: start) }
        let later = start + .seconds(11)
        _ = breaker.permit(at: later)
        if succeeds {
            breaker.recordSuccess()
            #expect(breaker.state == .closed(consecutiveFailures: 0))
        } else {
            breaker.recordFailure(at: later)
            #expect(breaker.state == .open(until: later + .seconds(10)))
        }
    }

    @Test func abandonedTrialLetsTheNextCallerTry() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<3 { breaker.recordFailure(at: start) }
        let later = start + .seconds(11)
        _ = breaker.permit(at: later)
        breaker.abandonTrial(at: later)
        #expect(breaker.permit(at: later) == .trial)
    }
}
