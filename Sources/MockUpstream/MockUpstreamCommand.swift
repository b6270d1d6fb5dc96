import ArgumentParser
import Foundation
import TestSupport

/// `tappass-mock-upstream`: the mock inference host as a process, for the Python SDK tests
/// and the benchmarks. Prints `mock-upstream listening on 127.0.0.1:PORT` once ready.
@main
struct MockUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tappass-mock-upstream")

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one).") var port = 0
    @Option(help: "Name reported in errors and /v1/models.") var name = "mock"

    func run() async throws {
        let mock = MockUpstream(name: name)
        let host = self.host
        try await mock.run(host: host, port: port) { port in
            print("mock-upstream listening on \(host):\(port)")
            fflush(nil)
        }
    }
}
