import Foundation
import Hummingbird

/// The signed-policy-bundle routes: import, status, rollback, pinned trust.
extension AdminServer {
    func importBundle(_ request: Request) async throws -> Response {
        guard let bundles else { return try Self.failure("this service has no policy bundle state", status: .conflict) }
        let body: PolicyImportRequest
        switch try await Self.decode(PolicyImportRequest.self, from: request, limit: 8 << 20) {
        case .success(let decoded): body = decoded
        case .failure(let error): return try Self.failure("expected {source, bundle}: \(error)", status: .badRequest)
        }
        return try Self.answer(await bundles.importBundle(body), changed: "installed")
    }

    func bundleStatus() async throws -> Response {
        guard let bundles else { return try Self.failure("this service has no policy bundle state", status: .conflict) }
        do { return try Self.json(try await bundles.status()) } catch {
            return try Self.failure("\(error)", status: .serviceUnavailable)
        }
    }

    func rollbackBundle(_ request: Request) async throws -> Response {
        guard let bundles else { return try Self.failure("this service has no policy bundle state", status: .conflict) }
        let body: PolicyRollbackRequest
        switch try await Self.decode(PolicyRollbackRequest.self, from: request, limit: 4 << 10) {
        case .success(let decoded): body = decoded
        case .failure(let error): return try Self.failure("expected {version}: \(error)", status: .badRequest)
        }
        return try Self.answer(await bundles.rollback(body.version), changed: "rolled-back")
    }

    func pinTrust(_ request: Request) async throws -> Response {
        guard let bundles else { return try Self.failure("this service has no policy bundle state", status: .conflict) }
        let body: PolicyTrustRequest
        switch try await Self.decode(PolicyTrustRequest.self, from: request, limit: 16 << 10) {
        case .success(let decoded): body = decoded
        case .failure(let error):
            return try Self.failure("expected {action, keyID, publicKey?, orgID?, threshold?}: \(error)", status: .badRequest)
        }
        switch await bundles.pin(body) {
        case .changed(let pinned): return try Self.json(PolicyTrustResponse(pinned: pinned))
        case .refused(let message): return try Self.failure(message, status: .unprocessableContent)
        }
    }

    private static func answer(_ outcome: PolicyImportOutcome, changed: String) throws -> Response {
        switch outcome {
        case .installed(let summary): return try json(PolicyImportResponse(outcome: changed, bundle: summary))
        case .unchanged(let summary): return try json(PolicyImportResponse(outcome: "unchanged", bundle: summary))
        case .refused(let code, let message):
            return try json(
                BundleRefusalBody(code: code, error: "\(code): \(message) (the policy in force stays)"),
                status: .unprocessableContent
            )
        }
    }
}
