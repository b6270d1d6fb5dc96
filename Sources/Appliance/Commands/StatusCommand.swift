import AdminAPI
import ArgumentParser
import Foundation
import Gateway

/// `tappass status`: is the running service ready, and if not, why. The reasons are what the
/// unauthenticated `/readyz` keeps to itself; the admin socket limits them to administrators.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Whether the running service is ready to serve, and why not (exit 1 when not ready or not running)."
    )

    @OptionGroup var source: ConfigurationSource
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let configuration = try source.load()
        let socket = configuration.gateway.adminSocketPath
        guard let client = await AdminClient.connect(socketPath: socket) else {
            FileHandle.standardError.write(Data("tappass: no service is running at \(socket) (or it is not yours to reach)\n".utf8))
            throw ExitCode(1)
        }
        let status: ServiceStatus
        do {
            status = try await client.call("GET", "/status", body: nil as String?, expect: 200)
            await client.close()
        } catch {
            await client.close()
            FileHandle.standardError.write(Data("tappass: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print("\(status.ready ? "ready" : "not ready"): \(status.status)")
            for reason in status.reasons { print("  - \(reason)") }
        }
        if !status.ready { throw ExitCode(1) }
    }
}
