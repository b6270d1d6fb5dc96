package import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import LocalLLM
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The public HTTP(S) listener: probes plus the OpenAI routes, as a `Service`.
package struct GatewayServer: Service {
    let runtime: GatewayRuntime
    let onRunning: @Sendable (String, Int) async -> Void

    /// - onRunning: called with the bound host and port once the listener accepts connections
    ///   (port 0 in the configuration binds an ephemeral port, reported here).
    package init(runtime: GatewayRuntime, onRunning: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) {
        self.runtime = runtime
        self.onRunning = onRunning
    }

    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: WireErrorMiddleware())
        ProbeRoutes(runtime: runtime).register(on: router)
        OpenAIRoutes(runtime: runtime).register(on: router)
        AnthropicRoutes(runtime: runtime).register(on: router)
        return router
    }

    package func run() async throws {
        let listen = runtime.configuration.listen
        let configuration = ApplicationConfiguration(
            address: .hostname(listen.host, port: listen.port),
            serverName: "tappass",
            backlog: 1024
        )
        let onRunning = self.onRunning
        let host = listen.host
        let callback: @Sendable (any Channel) async -> Void = { channel in
            await onRunning(host, channel.localAddress?.port ?? listen.port)
        }
        let deadlines = ClientDeadlineHandler.Deadlines(
            header: TimeAmount(listen.headerTimeout),
            body: TimeAmount(listen.bodyTimeout),
            idle: TimeAmount(listen.idleTimeout)
        )
        let connections = ConnectionCount(limit: listen.maxConnections)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionLimitHandler(connections), ParserErrorHandler(), ClientDeadlineHandler(deadlines)]
        )
        if let certificatePath = listen.tlsCertificatePath, let keyPath = listen.tlsKeyPath {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            let app = Application(
                router: makeRouter(),
                server: try .tls(.http1(configuration: http1), tlsConfiguration: tls),
                configuration: configuration,
                onServerRunning: callback,
                logger: runtime.logger
            )
            try await app.run()
        } else {
            let app = Application(
                router: makeRouter(),
                server: .http1(configuration: http1),
                configuration: configuration,
                onServerRunning: callback,
                logger: runtime.logger
            )
            try await app.run()
        }
    }
}
