import AsyncHTTPClient
package import Foundation
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// The CLI side of the admin API: talks to the running service over its admin socket. `nil` from ``connect(socketPath:)``
/// means no service is listening there, and the CLI works on the state folder directly.
package struct AdminClient {
    let socketPath: String
    let http: HTTPClient

    package static func connect(socketPath: String) async -> AdminClient? {
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

    package struct Failure: Error, CustomStringConvertible {
        package var description: String

        package init(description: String) {
            self.description = description
        }
    }

    package func request(_ method: String, _ path: String, body: Data? = nil) async throws -> (status: Int, body: Data) {
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

    package func close() async {
        try? await http.shutdown()
    }
}

extension AdminClient {
    /// Sends `body` as JSON and decodes the answer; any status but `expect` is a ``Failure``
    /// carrying the service's error message.
    package func call<Body: Encodable, Result: Decodable>(_ method: String, _ path: String, body: Body?, expect: Int) async throws -> Result
    {
        let (status, data) = try await request(method, path, body: try body.map { try JSONEncoder.admin.encode($0) })
        guard status == expect else {
            let message = (try? JSONDecoder.admin.decode(AdminErrorBody.self, from: data).error) ?? "status \(status)"
            throw Failure(description: message)
        }
        return try JSONDecoder.admin.decode(Result.self, from: data)
    }
}
