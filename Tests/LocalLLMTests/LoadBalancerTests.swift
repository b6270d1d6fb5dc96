import Testing

@testable import LocalLLM

@Suite struct LoadBalancerTests {
    func candidate(_ index: Int, weight: Int = 1, outstanding: Int = 0, max: Int = 10) -> LoadBalancer.Candidate {
        .init(index: index, id: "pool/\(index)", weight: weight, outstanding: outstanding, maxConcurrent: max)
    }

    @Test func picksTheLeastLoadedHost() {
        let order = LoadBalancer.order(
            [candidate(0, outstanding: 5), candidate(1, outstanding: 1), candidate(2, outstanding: 3)],
            affinityKey: nil,
            rotation: 0
        )
        #expect(order == [1, 2, 0])
    }

    @Test func weightScalesLoad() {
        // Host 0: (4+1)/4 = 1.25; host 1: (1+1)/1 = 2.
        let order = LoadBalancer.order(
            [candidate(0, weight: 4, outstanding: 4), candidate(1, weight: 1, outstanding: 1)],
            affinityKey: nil,
            rotation: 0
        )
        #expect(order.first == 0)
    }

    @Test func fullHostsAreSkipped() {
        let order = LoadBalancer.order(
            [candidate(0, outstanding: 2, max: 2), candidate(1, outstanding: 9, max: 10)],
            affinityKey: nil,
            rotation: 0
        )
        #expect(order == [1])
        #expect(LoadBalancer.order([candidate(0, outstanding: 2, max: 2)], affinityKey: nil, rotation: 0).isEmpty)
    }

    @Test func rotationSpreadsTiesAcrossHosts() {
        let hosts = [candidate(0), candidate(1), candidate(2)]
        let firsts = Set((0..<3).map { LoadBalancer.order(hosts, affinityKey: nil, rotation: $0).first! })
        #expect(firsts == [0, 1, 2])
    }

    @Test func affinityIsStableAndSpreadsUsers() {
        let hosts = [candidate(0), candidate(1), candidate(2)]
        var chosen: [Int: Int] = [:]
        for user in 0..<300 {
            let first = LoadBalancer.order(hosts, affinityKey: "user-\(user)", rotation: user).first!
            let again = LoadBalancer.order(hosts, affinityKey: "user-\(user)", rotation: user + 7).first!
            #expect(first == again)
            chosen[first, default: 0] += 1
        }
        #expect(chosen.count == 3)
        #expect(chosen.values.allSatisfy { $0 > 50 })
    }

    @Test func affinityYieldsWhenThePreferredHostIsFull() {
        let hosts = [candidate(0), candidate(1)]
        let preferred = LoadBalancer.order(hosts, affinityKey: "alice", rotation: 0).first!
        var full = hosts
        full[preferred].outstanding = 10
        #expect(LoadBalancer.order(full, affinityKey: "alice", rotation: 0) == [1 - preferred])
    }

    @Test func removingAHostOnlyMovesItsUsers() {
        let three = [candidate(0), candidate(1), candidate(2)]
        let two = [candidate(0), candidate(1)]
        for user in 0..<100 {
            let before = LoadBalancer.order(three, affinityKey: "u\(user)", rotation: 0).first!
            guard before != 2 else { continue }
            #expect(LoadBalancer.order(two, affinityKey: "u\(user)", rotation: 0).first! == before)
        }
    }
}
