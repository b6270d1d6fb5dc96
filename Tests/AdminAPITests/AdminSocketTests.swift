import Access
import AsyncHTTPClient
import Audit
import Foundation
import Gateway
import LocalLLM
import Logging
import Testing

@testable import AdminAPI

/// The admin socket end to end: the real server on a Unix socket in a temporary folder and the
/// CLI's client, carrying each message shape both ways.
@Suite struct AdminSocketTests {
    /// Runs `body` against a served admin socket whose bundle handlers answer as given.
    static func withServer(bundles: PolicyBundleAdmin, _ body: (AdminClient) async throws -> Void) async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let configuration = GatewayConfiguration(stateDirectory: state, adminSocketPath: state + "/admin.sock")
        var logger = Logger(label: "admin-test")
        logger.logLevel = .critical
        let audit = try AuditLog(configuration: configuration, logger: logger)
        let http = UpstreamClient.makeHTTPClient(timeouts: configuration.timeouts)
        let runtime = GatewayRuntime(
            configuration: configuration,
            keys: try APIKeyStore(stateDirectory: state),
            upstream: UpstreamClient(http: http, timeouts: configuration.timeouts),
            metrics: GatewayMetrics(),
            audit: audit,
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await audit.run() }
            group.addTask { try await AdminServer(runtime: runtime, bundles: bundles).run() }
            var client: AdminClient?
            for _ in 0..<100 where client == nil {
                client = await AdminClient.connect(socketPath: configuration.adminSocketPath)
                if client == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let connected = try #require(client)
            do {
                try await body(connected)
            } catch {
                await connected.close()
                group.cancelAll()
                throw error
            }
            await connected.close()
            group.cancelAll()
        }
        try await http.shutdown()
    }

    static let summary = BundleSummary(
        version: 7,
        digest: String(repeating: "ab", count: 32),
        signers: ["k1"],
        orgID: "acme",
        created: Date(timeIntervalSince1970: 1_800_000_000),
        expires: nil,
        installedAt: Date(timeIntervalSince1970: 1_800_000_100),
        inForce: true
    )

    @Test func anImportCarriesTheBundleInAndTheOutcomeOut() async throws {
        let received = ReceivedBytes()
        let bundles = PolicyBundleAdmin(
            importBundle: { request in
                await received.set(request.bundle)
                return request.bundle.first == 0x1F ? .installed(Self.summary) : .refused(code: "bad_archive", message: "not a gzip file")
            },
            status: { PolicyBundleStatus(highest: 7, installed: [Self.summary], trust: "pinned", policySource: "signed bundle version 7") },
            rollback: { _ in .refused(code: "rollback_refused", message: "version 3 is not installed here") },
            pin: { request in request.action == .add ? .changed(["\(request.keyID) (org acme, threshold 1)"]) : .refused("not pinned") }
        )
        try await Self.withServer(bundles: bundles) { client in
            let body = Data([0x1F, 0x8B, 0x00, 0xFF])
            let accepted: PolicyImportResponse = try await client.call(
                "POST",
                "/policy/import",
                body: PolicyImportRequest(source: "/media/usb/a.tpb", bundle: body),
                expect: 200
            )
            #expect(accepted.outcome == "installed" && accepted.bundle == Self.summary)
            #expect(await received.bytes == body, "the bytes arrive as sent")

            let (status, refused) = try await client.request(
                "POST",
                "/policy/import",
                body: try JSONEncoder.admin.encode(PolicyImportRequest(source: "x", bundle: Data("{}".utf8)))
            )
            #expect(status == 422)
            let refusal = try JSONDecoder.admin.decode(BundleRefusalBody.self, from: refused)
            #expect(refusal.code == "bad_archive" && refusal.error.contains("the policy in force stays"))

            let listed: PolicyBundleStatus = try await client.call("GET", "/policy/bundles", body: nil as String?, expect: 200)
            #expect(listed.highest == 7 && listed.installed == [Self.summary])

            await #expect(throws: AdminClient.Failure.self) {
                let _: PolicyImportResponse = try await client.call(
                    "POST",
                    "/policy/rollback",
                    body: PolicyRollbackRequest(version: 3),
                    expect: 200
                )
            }
            let pinned: PolicyTrustResponse = try await client.call(
                "POST",
                "/policy/trust",
                body: PolicyTrustRequest(action: .add, keyID: "k1", publicKey: "AAAA", orgID: "acme"),
                expect: 200
            )
            #expect(pinned.pinned == ["k1 (org acme, threshold 1)"])

            let (malformed, _) = try await client.request("POST", "/policy/import", body: Data("not json".utf8))
            #expect(malformed == 400)
        }
    }
}

actor ReceivedBytes {
    var bytes: Data?
    func set(_ data: Data) { bytes = data }
}
