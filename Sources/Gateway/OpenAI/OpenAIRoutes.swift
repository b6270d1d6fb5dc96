import Access
import Governance
package import Hummingbird
import JSONWire
import LocalLLM
import NIOCore

/// The OpenAI wire surface: `/v1/chat/completions`, `/v1/embeddings`, `/v1/models`.
package struct OpenAIRoutes: Sendable {
    let runtime: GatewayRuntime
    var relay: OpenAIReplyRelay { OpenAIReplyRelay(runtime: runtime) }

    package init(runtime: GatewayRuntime) {
        self.runtime = runtime
    }

    package func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/v1/chat/completions") { request, _ in await chatCompletions(request) }
        router.post("/v1/embeddings") { request, _ in await embeddings(request) }
        router.get("/v1/models") { request, _ in await models(request) }
        router.get("/v1/models/{id}") { request, context in await model(request, id: context.parameters.get("id") ?? "") }
    }

    func chatCompletions(_ request: Request) async -> Response {
        var exchange = Exchange(route: "/v1/chat/completions", request: request, metrics: runtime.metrics)
        do {
            let caller = try runtime.admit(request, exchange: &exchange)
            var body = try await runtime.readJSON(request, exchange: &exchange)
            let (model, streaming) = try OpenAIRequestValidation.chat(body, maxChoices: runtime.configuration.limits.maxChoices)
            let target = try runtime.resolve(model: model, for: caller, exchange: &exchange)
            try runtime.inspectRequest(&body, exchange: &exchange)
            try runtime.reserveQuota(&body, limit: .openAIChat, exchange: &exchange)
            let reply: UpstreamReply
            let includeUsage = body["stream_options"]?["include_usage"]?.boolValue ?? false
            if target.pool.kind == .echo {
                reply = runtime.echo.chatCompletion(body)
            } else {
                body["model"] = .string(target.upstreamModel)
                if streaming {
                    // Exact usage for the audit record; the chunk is dropped if the client did not ask.
                    var options = body["stream_options"]?.objectValue ?? [:]
                    options["include_usage"] = true
                    body["stream_options"] = .object(options)
                }
                let affinity = body["user"]?.stringValue ?? caller.user
                reply = try await runtime.send("/chat/completions", body, to: target, affinity: affinity, streaming: streaming)
            }
            if streaming {
                return await relay.chatStream(reply, request: body, includeUsage: includeUsage, target: target, exchange: exchange)
            }
            return await relay.completion(reply, exchange: exchange)
        } catch {
            return await relay.fail(error, exchange: exchange, outcome: .refusal(error))
        }
    }

    func embeddings(_ request: Request) async -> Response {
        var exchange = Exchange(route: "/v1/embeddings", request: request, metrics: runtime.metrics)
        do {
            let caller = try runtime.admit(request, exchange: &exchange)
            var body = try await runtime.readJSON(request, exchange: &exchange)
            let model = try OpenAIRequestValidation.embeddings(body)
            let target = try runtime.resolve(model: model, for: caller, exchange: &exchange)
            try runtime.inspectRequest(&body, exchange: &exchange)
            try runtime.reserveQuota(&body, limit: .none, exchange: &exchange)
            let reply: UpstreamReply
            if target.pool.kind == .echo {
                reply = runtime.echo.embeddings(body)
            } else {
                body["model"] = .string(target.upstreamModel)
                reply = try await runtime.send("/embeddings", body, to: target, affinity: caller.user, streaming: false)
            }
            return await relay.embeddings(reply, exchange: exchange)
        } catch {
            return await relay.fail(error, exchange: exchange, outcome: .refusal(error))
        }
    }

    /// Lists the models this key may use, in Anthropic's shape when asked with `anthropic-version`.
    func models(_ request: Request) async -> Response {
        let exchange = Exchange(route: "/v1/models", request: request, metrics: runtime.metrics)
        let anthropic = request.headers[.anthropicVersion] != nil
        let principal: Principal
        do { principal = try runtime.authenticate(request) } catch {
            return anthropic
                ? await AnthropicReplyRelay(runtime: runtime).fail(error, exchange: exchange, outcome: .refused)
                : await relay.fail(error, exchange: exchange, outcome: .refused)
        }
        let policy = runtime.policy.inspector(key: principal.keyID, team: principal.team)?.policy
        let ids = runtime.router.advertisedModels.filter { principal.mayUse(model: $0) && policy?.permits(model: $0) != false }
        var listed = exchange
        listed.principal = principal
        await listed.finish(status: 200, outcome: .completed, runtime: runtime)
        if anthropic { return Self.json(AnthropicRoutes.modelList(ids)) }
        return Self.json(["object": "list", "data": .array(ids.map(Self.modelObject))])
    }

    func model(_ request: Request, id: String) async -> Response {
        var exchange = Exchange(route: "/v1/models/{id}", request: request, metrics: runtime.metrics)
        do {
            let caller = try runtime.admit(request, exchange: &exchange)
            let target = try runtime.resolve(model: id, for: caller, exchange: &exchange)
            await exchange.finish(status: 200, outcome: .completed, runtime: runtime)
            return Self.json(Self.modelObject(target.publicName))
        } catch {
            return await relay.fail(error, exchange: exchange, outcome: .refused)
        }
    }

    static func modelObject(_ id: String) -> JSONValue {
        ["id": .string(id), "object": "model", "created": 0, "owned_by": "tappass"]
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: GatewayRuntime.encode(value)))
    }
}
