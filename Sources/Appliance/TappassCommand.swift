import ArgumentParser
import NIOCore
import NIOPosix

/// `tappass`: the appliance service and its admin CLI in one binary.
@main
struct TappassCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tappass",
        abstract: "TapPass Appliance: a governed LLM gateway for on-prem inference hosts.",
        version: version,
        subcommands: [
            ServeCommand.self, ConfigCommand.self, KeysCommand.self, LicenseCommand.self, AuditCommand.self, ScanCommand.self,
            PolicyCommand.self, TLSCommand.self, StatusCommand.self,
        ]
    )

    static let version = "0.1.0"

    static func main() async {
        // Run Swift Concurrency on NIO's event loops: handlers, the upstream client and the
        // server then share threads instead of hopping between two pools on every await.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}
