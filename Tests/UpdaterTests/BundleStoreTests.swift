import Foundation
import Testing

@testable import Updater

/// Installing keeps a bounded history, switches `current` by rename, and only ever raises the
/// high-water mark, also across rollbacks and pruning.
@Suite struct BundleStoreTests {
    typealias F = BundleFixtures

    static func verified(_ version: UInt64, policy: String = "version: 1\n") throws -> ([UInt8], VerifiedBundle) {
        let file = try F.bundle(version: version, files: ["policy.yaml": Array(policy.utf8)])
        return (file, try F.verifier(installed: 0).verify(file))
    }

    @Test func installSwitchesCurrentAndKeepsABoundedHistory() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = BundleStore(stateDirectory: state, keep: 2)
        #expect(try store.current() == nil)
        for version in [4, 5, 6] as [UInt64] {
            let (file, bundle) = try Self.verified(version, policy: "version: 1\nname: v\(version)\n")
            try store.install(bundle, file: file, at: F.now)
        }
        let index = try store.index()
        #expect(index.highest == 6 && index.current == 6)
        #expect(index.installed.map(\.version) == [5, 6], "the oldest beyond two is pruned")
        #expect(!FileManager.default.fileExists(atPath: state + "/policy/versions/4"))
        #expect(try store.current()?.policy == Array("version: 1\nname: v6\n".utf8))
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: state + "/policy/current")
        #expect(link == "versions/6")

        let back = try store.activate(version: 5)
        #expect(back.version == 5)
        #expect(try store.index().current == 5 && store.index().highest == 6, "a rollback never lowers the high-water mark")
        #expect(try store.current()?.version == 5)
        #expect(throws: KeyFileError.self) { try store.activate(version: 4) }
        // A new store on the same folder reads the same state.
        #expect(try BundleStore(stateDirectory: state).index() == store.index())
    }

    @Test func anUnreadableIndexChangesNothingAndSaysWhere() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        try FileManager.default.createDirectory(atPath: state + "/policy", withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: state + "/policy/index.json"))
        let error = try #require(throws: KeyFileError.self) { try BundleStore(stateDirectory: state).current() }
        #expect(error.description.contains("index.json"))
    }

    @Test func pinnedTrustRoundTrips() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("trust-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        #expect(try PinnedTrust.load(stateDirectory: state) == nil)
        let pinned = PinnedTrust(orgID: F.org, threshold: 1, keys: [F.alice.keyID: F.alice.publicKey.base64EncodedString()])
        try pinned.save(stateDirectory: state)
        #expect(try PinnedTrust.load(stateDirectory: state) == pinned)
        #expect(pinned.trust == F.trust(keys: [F.alice]))
        try PinnedTrust(orgID: F.org).save(stateDirectory: state)
        #expect(try PinnedTrust.load(stateDirectory: state) == nil, "no key left: the file goes")
    }
}
