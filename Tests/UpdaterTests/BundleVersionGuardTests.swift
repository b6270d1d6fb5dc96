import Testing

@testable import Updater

@Suite struct BundleVersionGuardTests {
    @Test func acceptsOnlyIncreasingVersions() {
        var guardian = BundleVersionGuard()
        #expect(guardian.install(1) == .accept)
        #expect(guardian.install(42) == .accept)
        #expect(guardian.install(42) == .rollback(installed: 42, offered: 42))
        #expect(guardian.install(7) == .rollback(installed: 42, offered: 7))
        #expect(guardian.highWaterMark == 42)
    }
}
