import Foundation
package import Gateway
import Hummingbird
import Logging
import NIOCore
import NIOFoundationEssentialsCompat
import ServiceLifecycle

/// The admin API on a local Unix socket, so `tappass keys …` changes apply to the running
/// service at once and the service stays the only writer of its state. Access is by file
/// permissions: the socket is mode 0660 (root and the service's group). The handlers are in
/// `AdminServer+Handlers.swift`, one function per route.
package struct AdminServer: Service {
    let runtime: GatewayRuntime
    /// Re-reads the configuration file and applies it (`tappass config reload`); nil where the
    /// service has no file to re-read.
    let reloadConfiguration: (@Sendable () async -> ConfigReloadOutcome)?
    /// `tappass license show|activate`; nil where the service has no license state.
    let license: LicenseAdmin?
    /// `tappass policy import|status|history|rollback|trust`; nil where the service has no bundles.
    let bundles: PolicyBundleAdmin?

    package init(
        runtime: GatewayRuntime,
        reloadConfiguration: (@Sendable () async -> ConfigReloadOutcome)? = nil,
        license: LicenseAdmin? = nil,
        bundles: PolicyBundleAdmin? = nil
    ) {
        self.runtime = runtime
        self.reloadConfiguration = reloadConfiguration
        self.license = license
        self.bundles = bundles
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/keys") { _, _ in try listKeys() }
        router.post("/keys") { request, _ in try await createKey(request) }
        router.post("/keys/{id}/revoke") { _, context in try await revokeKey(id: context.parameters.get("id") ?? "") }
        router.get("/policy") { _, _ in try activePolicy() }
        router.post("/policy/reload") { _, _ in try await reloadPolicy() }
        router.post("/policy/import") { request, _ in try await importBundle(request) }
        router.get("/policy/bundles") { _, _ in try await bundleStatus() }
        router.post("/policy/rollback") { request, _ in try await rollbackBundle(request) }
        router.post("/policy/trust") { request, _ in try await pinTrust(request) }
        router.post("/config/reload") { _, _ in try await reloadConfig() }
        router.get("/license") { _, _ in try await licenseStatus() }
        router.post("/license/activate") { request, _ in try await activateLicense(request) }
        router.get("/status") { _, _ in try serviceStatus() }
        router.post("/audit/checkpoint") { _, _ in try await checkpointAudit() }
        router.post("/audit/prune") { request, _ in try await pruneAudit(request) }
        return router
    }

    package func run() async throws {
        let path = runtime.configuration.adminSocketPath
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .unixDomainSocket(path: path), serverName: "tappass-admin"),
            onServerRunning: { _ in chmod(path, 0o660) },
            logger: runtime.logger
        )
        try await app.run()
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try JSONEncoder.admin.encode(value))))
    }

    static func failure(_ message: String, status: HTTPResponse.Status) throws -> Response {
        try json(AdminErrorBody(error: message), status: status)
    }

    /// A request body (at most `limit` bytes) decoded as `T`, or why it is not one.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> Result<T, any Error> {
        let body = try await request.body.collect(upTo: limit)
        do { return .success(try JSONDecoder.admin.decode(T.self, from: body)) } catch { return .failure(error) }
    }
}
