import AdminAPI
import Audit
import Foundation
import Gateway
import Governance
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// Re-reads the configuration file into the running service, on `tappass config reload` (the
/// admin socket) or SIGHUP (`systemctl reload tappass`). The file is validated whole first, and
/// a new policy file with it: a file with any error changes nothing, and the error names the
/// file, line and key. What can change live does (``LiveConfiguration``); what needs a restart
/// is reported. Each reload or refusal is logged and recorded in the audit log
/// (`config.reloaded`, `config.rejected`).
final class ConfigurationReloader: Sendable {
    let source: String
    /// Reads and validates the file (with the command line's overrides applied).
    let load: @Sendable () throws -> ApplianceConfiguration
    let runtime: GatewayRuntime
    let logger: Logger
    /// The log level the service started with (fixed for its life).
    let logLevel: Logger.Level
    /// One reload at a time.
    private let serial = Mutex(())

    init(
        source: String,
        logLevel: Logger.Level,
        runtime: GatewayRuntime,
        logger: Logger,
        load: @escaping @Sendable () throws -> ApplianceConfiguration
    ) {
        self.source = source
        self.logLevel = logLevel
        self.runtime = runtime
        self.logger = logger
        self.load = load
    }

    func reload() async -> ConfigReloadOutcome {
        let outcome = serial.withLock { _ in apply() }
        switch outcome {
        case .reloaded(let summary):
            logger.notice(
                "configuration reloaded",
                metadata: [
                    "config.file": "\(source)", "config.applied": "\(summary.applied.joined(separator: ","))",
                    "config.restart_required": "\(summary.restartRequired.joined(separator: ","))",
                ]
            )
            await runtime.audit.record(
                .event(
                    "config.reloaded",
                    detail: [
                        "source": source, "applied": summary.applied.joined(separator: ","),
                        "restart_required": summary.restartRequired.joined(separator: ","),
                    ]
                )
            )
        case .rejected(let error):
            logger.warning("configuration rejected", metadata: ["config.file": "\(source)", "error": "\(error)"])
            await runtime.audit.record(.event("config.rejected", detail: ["source": source, "error": error]))
        }
        return outcome
    }

    private func apply() -> ConfigReloadOutcome {
        let new: ApplianceConfiguration
        do { new = try load() } catch { return .rejected("\(error)") }
        let running = runtime.configuration
        // A policy file named anew is read (and validated) before anything changes.
        var policy: (Policy, String)?
        if new.gateway.governance.policyFile != running.governance.policyFile {
            if let file = new.gateway.governance.policyFile {
                do { policy = (try PolicyReader.load(path: file), file) } catch { return .rejected("\(error)") }
            } else {
                policy = (DefaultPolicy.policy, "built-in default")
            }
        }
        var change = runtime.live.apply(new.gateway)
        if let (policy, source) = policy, !runtime.policy.replaceUnlessBundled(with: policy, source: source) {
            // A signed bundle is in force: only a newer bundle or a rollback replaces it.
            change.applied.removeAll { $0 == "governance.policy_file" }
            logger.notice("policy file not applied: a signed policy bundle is in force", metadata: ["policy.file": "\(source)"])
        }
        if new.logLevel != logLevel { change.restartRequired.append("log_level") }
        return .reloaded(ConfigReloadSummary(source: source, applied: change.applied, restartRequired: change.restartRequired))
    }
}

/// Reloads the configuration on each SIGHUP, as `systemctl reload` sends it.
/// SIGHUP (`systemctl reload`): tells systemd `RELOADING=1` with the monotonic time it began,
/// re-reads the configuration, then `READY=1` (a refused file leaves the running one in force,
/// and the service is ready again all the same).
struct ReloadOnHangup: Service {
    let reloader: ConfigurationReloader
    let notifier: SystemdNotifier
    let status: @Sendable () -> String

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
                notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(microseconds)\nSTATUS=Reloading the configuration")
                _ = await reloader.reload()
                notifier.notify("READY=1\nSTATUS=" + status())
            }
        }
    }
}
