import AsyncHTTPClient
import Foundation
import Gateway
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// Talks to the running service over its admin socket. `nil` from ``connect(socketPath:)``
/// means no service is listening there, and the CLI works on the state folder directly.
struct AdminClient {
    let socketPath: String
    let http: HTTPClient

    static func connect(socketPath: String) async -> AdminClient? {
        guard FileManager.default.fileExists(atPath: socketPath) else { return nil }
        let client = AdminClient(socketPath: socketPath, http: HTTPClient(eventLoopGroupProvider: .singleton))
        do {
            _ = try await client.request("GET", "/keys")
            return client
        } catch {
            try? await client.http.shutdown()
            return nil
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func request(_ method: String, _ path: String, body: Data? = nil) async throws -> (status: Int, body: Data) {
        let encodedSocket = socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath
        var request = HTTPClientRequest(url: "http+unix://\(encodedSocket)\(path)")
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response = try await http.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), Data(buffer: bytes))
    }

    func close() async {
        try? await http.shutdown()
    }
}
