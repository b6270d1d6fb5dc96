import Access
import Governance
import Hummingbird
import JSONWire
import LocalLLM
import NIOCore

/// `/healthz` (the process answers), `/readyz` (it can serve; why not is for `tappass status`),
/// `/metrics` (Prometheus).
struct ProbeRoutes: Sendable {
    let runtime: GatewayRuntime

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/healthz") { _, _ in
            OpenAIRoutes.json(["status": "ok"])
        }
        // Ready or not, and nothing more: this answers anyone who can reach the port. The reasons
        // (with license details) are for administrators: `tappass status`, `license show`, the journal.
        router.get("/readyz") { _, _ in
            let (ready, _) = runtime.readiness()
            return OpenAIRoutes.json(["status": .string(ready ? "ready" : "not_ready")], status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let bytes = runtime.metrics.render(
                pools: runtime.pools,
                license: runtime.licenseGate.state,
                seatUsers: runtime.keys.seatOrder().count,
                policyBundleVersion: runtime.policy.active.bundleVersion
            )
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
