import Hummingbird

/// Errors the HTTP layer raises itself before any route runs (no such endpoint, a method the
/// endpoint does not take, a request the router cannot read) get a body in the caller's wire
/// format, as every other error does: Anthropic's under `/v1/messages`, OpenAI's elsewhere.
/// Without it they would be empty, and the SDKs would show a bare status.
struct WireErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            let path = request.uri.path
            let status = Int(error.status.code)
            let wire: GatewayError =
                status == 404
                ? GatewayError(.notFound, "Invalid URL (\(request.method) \(path)): no such endpoint on this gateway.")
                : GatewayError(
                    .invalidRequest,
                    status == 405
                        ? "Method \(request.method) is not allowed on \(path)."
                        : "The request cannot be served: \(error.status.reasonPhrase).",
                    status: status
                )
            return path.hasPrefix("/v1/messages")
                ? AnthropicErrorBody.response(for: wire, requestID: context.id)
                : OpenAIErrorBody.response(for: wire)
        }
    }
}
