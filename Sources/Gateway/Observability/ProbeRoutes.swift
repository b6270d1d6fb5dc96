import Hummingbird
import LocalLLM
import NIOCore

/// `/healthz` (the process answers), `/readyz` (it can serve), `/metrics` (Prometheus).
struct ProbeRoutes: Sendable {
    let runtime: GatewayRuntime

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/healthz") { _, _ in
            OpenAIRoutes.json(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            let (ready, reasons) = runtime.readiness()
            return OpenAIRoutes.json(
                ["status": .string(ready ? "ready" : "not_ready"), "reasons": .array(reasons.map(JSONValue.string))],
                status: ready ? .ok : .serviceUnavailable
            )
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let bytes = runtime.metrics.render(pools: runtime.pools, license: runtime.licenseGate.state)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
