import Synchronization

/// Whether the license lets governed traffic through, as the appliance's license monitor last
/// judged it. The gateway knows nothing of license files: it is told "serve" or "refuse, because
/// …" and checks that on every authenticated request (one uncontended lock).
package final class LicenseGate: Sendable {
    private let current: Mutex<String?>

    /// Starts open: the appliance closes it before serving if the license says so.
    package init(refusal: String? = nil) {
        current = Mutex(refusal)
    }

    /// Why governed requests are refused, or nil when they are served.
    package var refusal: String? { current.withLock { $0 } }

    package func serve() { current.withLock { $0 = nil } }

    package func refuse(_ reason: String) { current.withLock { $0 = reason } }
}
