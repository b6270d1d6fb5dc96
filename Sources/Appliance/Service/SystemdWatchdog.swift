import Audit
import CSystemd
import Gateway
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Keeps systemd told the truth while the service runs: `WATCHDOG=1` only while the serving path
/// is alive, and a one-line `STATUS=` that changes as the service does.
///
/// Alive means every event loop (the request handlers, the upstream client and Swift
/// concurrency all run on them) runs a task within a third of the watchdog interval, and no
/// audit record has waited for the writer thread that long either. A loop that stops answering
/// or a writer that stopped committing stops the pings, and systemd restarts the service
/// (`WatchdogSec=` in the unit). Outside systemd (no `WATCHDOG_USEC`) only the status is kept.
struct SystemdWatchdog: Service {
    let notifier: SystemdNotifier
    let audit: AuditLog
    /// The status line, computed when it is sent.
    let status: @Sendable () -> String

    func run() async throws {
        var microseconds: UInt64 = 0
        let enabled = sd_watchdog_enabled(0, &microseconds) > 0 && microseconds > 0
        let interval: Duration = enabled ? .microseconds(Int64(microseconds / 3)) : .seconds(10)
        await cancelWhenGracefulShutdown {
            var sent = ""
            while !Task.isCancelled {
                if enabled, await Self.alive(audit: audit, within: interval) { notifier.notify("WATCHDOG=1") }
                let line = status()
                if line != sent {
                    notifier.notify("STATUS=" + line)
                    sent = line
                }
                try? await Task.sleep(for: enabled ? interval : .seconds(10))
            }
        }
    }

    static func alive(audit: AuditLog, within limit: Duration) async -> Bool {
        guard !audit.isStalled(after: limit) else { return false }
        for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
            let answered = await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await loop.submit {}.get()) != nil }
                group.addTask {
                    try? await Task.sleep(for: limit)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            guard answered else { return false }
        }
        return true
    }
}
