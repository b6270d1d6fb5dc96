import CSystemd
import ServiceLifecycle

/// Tells systemd (`Type=notify`) about the service's state through libsystemd's `sd_notify`.
/// Outside systemd (`NOTIFY_SOCKET` unset) every call is a no-op.
struct SystemdNotifier: Sendable {
    func notify(_ state: String) {
        _ = sd_notify(0, state)
    }
}

/// Sends `STOPPING=1` as soon as a graceful shutdown begins (it is listed last in the group,
/// so it is told first), then lets the other services drain.
struct ShutdownNotifier: Service {
    let notifier: SystemdNotifier

    func run() async throws {
        try? await gracefulShutdown()
        notifier.notify("STOPPING=1\nSTATUS=Draining in-flight requests")
    }
}
