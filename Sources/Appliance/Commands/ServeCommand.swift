import Access
import AdminAPI
import ArgumentParser
import AsyncHTTPClient
import Audit
import Foundation
import Gateway
import Governance
import License
import LocalLLM
import Logging
import ServiceLifecycle
import UnixSignals

/// `tappass serve`: runs the gateway until SIGTERM, then drains in-flight requests and exits 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the appliance service.")

    @OptionGroup var source: ConfigurationSource

    @Option(name: .long, help: "Listen on HOST:PORT instead of the configured address (port 0 picks a free port).")
    var listen: String?

    func run() async throws {
        let (configuration, listenOverride) = try loadConfiguration()
        let logger = JournalLogging.bootstrap(level: configuration.logLevel)
        Self.raiseOpenFileLimit()
        let gateway = configuration.gateway
        let state = try Self.openState(gateway, logger: logger)
        let http = UpstreamClient.makeHTTPClient(timeouts: gateway.timeouts)
        let runtime = GatewayRuntime(
            configuration: gateway,
            keys: state.keys,
            upstream: UpstreamClient(http: http, timeouts: gateway.timeouts),
            metrics: GatewayMetrics(),
            audit: state.audit,
            policy: state.policy,
            licenseGate: LicenseGate(),
            logger: logger
        )
        let license = LicenseMonitor(
            store: LicenseStore(stateDirectory: gateway.stateDirectory, verifier: LicenseVerifier(machine: state.machine)),
            machine: state.machine,
            gate: runtime.licenseGate,
            audit: state.audit,
            logger: logger,
            seatOrder: { [keys = state.keys] in keys.seatOrder() }
        )
        state.audit.recordLater(.event("service.started", detail: ["version": TappassCommand.version, "demo": "\(source.demo)"]))
        state.audit.recordLater(
            .event("policy.applied", detail: ["name": state.policy.active.policy.name, "source": state.policy.active.source])
        )
        // The gate is set before the first request can arrive.
        license.refresh()
        var groupConfiguration = ServiceGroupConfiguration(
            services: services(
                runtime: runtime,
                license: license,
                http: http,
                listenOverride: listenOverride,
                configuration: configuration
            ),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // Requests and streams in flight get this long to finish after SIGTERM; then they are cut.
        groupConfiguration.maximumGracefulShutdownDuration = gateway.limits.drainTimeout
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            logger.critical("service stopped on error", metadata: ["error": "\(error)"])
            try? await http.shutdown()
            throw ExitCode(1)
        }
        try await http.shutdown()
        logger.notice("stopped")
    }

    /// Raises the soft limit on open files to the hard one: thousands of client connections need
    /// more than the usual 1,024 descriptors. Under systemd the unit's `LimitNOFILE` sets both
    /// (and its system call filter refuses this call, which is then not needed).
    private static func raiseOpenFileLimit() {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = min(limit.rlim_max, 1 << 20)
        _ = setrlimit(resource, &limit)
    }

    /// The configuration, with `--listen` applied (kept across reloads).
    private func loadConfiguration() throws -> (ApplianceConfiguration, GatewayConfiguration.Listen?) {
        var configuration = try source.load()
        guard let listen else { return (configuration, nil) }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port)
        else {
            FileHandle.standardError.write(Data("tappass: --listen: expected HOST:PORT, got '\(listen)'\n".utf8))
            throw ExitCode(2)
        }
        configuration.gateway.listen.host = String(listen[..<colon])
        configuration.gateway.listen.port = port
        return (configuration, configuration.gateway.listen)
    }

    /// What the service keeps in its state folder, opened: keys, the audit log, the policy and
    /// this machine's identity. A state folder that cannot be opened stops the start (exit 1);
    /// an invalid policy too (exit 2).
    private static func openState(
        _ gateway: GatewayConfiguration,
        logger: Logger
    ) throws -> (keys: APIKeyStore, audit: AuditLog, policy: PolicyStore, machine: MachineFingerprint) {
        let keys: APIKeyStore
        let audit: AuditLog
        do {
            keys = try APIKeyStore(stateDirectory: gateway.stateDirectory, demoKey: gateway.demoKey)
            audit = try AuditLog(configuration: gateway, logger: logger)
        } catch {
            logger.critical("cannot open the state folder", metadata: ["state.dir": "\(gateway.stateDirectory)", "error": "\(error)"])
            throw ExitCode(1)
        }
        let policy: PolicyStore
        do {
            policy = try PolicyStore.load(gateway.governance, bundle: try Bundles.installedPolicy(stateDirectory: gateway.stateDirectory))
        } catch {
            FileHandle.standardError.write(Data("tappass: invalid policy: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let machine: MachineFingerprint
        do { machine = try MachineFingerprint.current() } catch {
            logger.critical(
                "cannot identify this machine for licensing (run systemd-machine-id-setup)",
                metadata: ["error": "\(error)"]
            )
            throw ExitCode(1)
        }
        return (keys, audit, policy, machine)
    }

    /// The service's parts, in start order; they stop in reverse, the audit writer last, after
    /// every request's record.
    private func services(
        runtime: GatewayRuntime,
        license: LicenseMonitor,
        http: HTTPClient,
        listenOverride: GatewayConfiguration.Listen?,
        configuration: ApplianceConfiguration
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let logger = runtime.logger
        let notifier = SystemdNotifier()
        let status: @Sendable () -> String = { [runtime] in
            runtime.statusLine() + ", " + Self.licenseStatus(license.summary())
        }
        let demo = source.demo
        let path = source.path
        let reloader = ConfigurationReloader(
            source: demo ? "embedded demo configuration" : path,
            logLevel: configuration.logLevel,
            runtime: runtime,
            logger: logger
        ) { [listenOverride] in
            var reloaded = demo ? try DemoConfiguration.load() : try ApplianceConfiguration.load(path: path)
            if let listenOverride { reloaded.gateway.listen = listenOverride }
            return reloaded
        }
        let tls = runtime.configuration.listen.tlsCertificatePath != nil
        let server = GatewayServer(runtime: runtime) { host, port in
            // One line on stdout that scripts and tests wait for; port 0 resolves here.
            print(
                "tappass: listening on \(tls ? "https" : "http")://\(host):\(port)\(demo ? " (demo mode, key \(DemoConfiguration.apiKey))" : "")"
            )
            fflush(nil)
            logger.notice("listening", metadata: ["listen.address": "\(host)", "listen.port": "\(port)"])
            notifier.notify("READY=1\nSTATUS=" + status())
        }
        let bundles = PolicyBundles(
            stateDirectory: runtime.configuration.stateDirectory,
            license: { license.judgement() },
            record: { [audit = runtime.audit] entries in for entry in entries { _ = await audit.record(entry) } },
            apply: { [policy = runtime.policy] bundlePolicy, version in
                policy.replace(with: bundlePolicy, source: "signed bundle version \(version)", bundleVersion: version)
            },
            policySource: { [policy = runtime.policy] in policy.active.source }
        )
        let admin = AdminServer(
            runtime: runtime,
            reloadConfiguration: { await reloader.reload() },
            license: LicenseAdmin(status: { license.summary() }, activate: { await license.activate($0) }),
            bundles: PolicyBundleAdmin(
                importBundle: { await bundles.importBundle(Array($0.bundle), source: $0.source) },
                status: { try bundles.status() },
                rollback: { await bundles.rollback($0) },
                pin: { await bundles.pin($0) }
            )
        )
        let health = HealthChecker(
            pools: { [live = runtime.live] in live.snapshot.pools },
            changes: runtime.live.poolChanges,
            client: http,
            logger: logger
        )
        let inbox = runtime.configuration.governance.bundleInbox.map { PolicyInbox(folder: $0, bundles: bundles, logger: logger) }
        return [
            .init(service: runtime.audit),
            .init(service: health),
            .init(service: license),
            .init(service: admin),
            .init(service: ReloadOnHangup(reloader: reloader, notifier: notifier, status: status)),
            .init(service: SystemdWatchdog(notifier: notifier, audit: runtime.audit, status: status)),
            .init(service: MemoryReturner()),
            .init(service: server),
            .init(service: ShutdownNotifier(notifier: notifier), successTerminationBehavior: .ignore),
        ] + (inbox.map { [.init(service: $0)] } ?? [])
    }

    /// The license half of the systemd status line: "license: evaluation, 24 days left".
    static func licenseStatus(_ summary: LicenseSummary, now: Date = Date()) -> String {
        var text = "license: \(summary.state)"
        if let until = summary.validUntil, summary.serving {
            let days = max(0, Int(until.timeIntervalSince(now) / 86_400))
            text += ", \(days) day\(days == 1 ? "" : "s") left"
        }
        return text
    }
}
