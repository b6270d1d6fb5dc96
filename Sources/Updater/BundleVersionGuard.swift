/// Rollback protection for signed bundles: a bundle is accepted only when its version is higher
/// than every version installed before (the high-water mark), so an old, once-valid bundle
/// cannot be replayed to bring back a weaker policy.
package struct BundleVersionGuard: Sendable, Equatable {
    package private(set) var highWaterMark: UInt64

    package init(highWaterMark: UInt64 = 0) {
        self.highWaterMark = highWaterMark
    }

    package enum Verdict: Sendable, Equatable {
        case accept
        case rollback(installed: UInt64, offered: UInt64)
    }

    package func check(_ offered: UInt64) -> Verdict {
        offered > highWaterMark ? .accept : .rollback(installed: highWaterMark, offered: offered)
    }

    /// Records an installed version; returns the verdict that allowed (or refused) it.
    package mutating func install(_ version: UInt64) -> Verdict {
        let verdict = check(version)
        if verdict == .accept { highWaterMark = version }
        return verdict
    }
}
