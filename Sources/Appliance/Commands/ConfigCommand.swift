import ArgumentParser
import Foundation
import Gateway

/// `tappass config check`: validates the configuration and prints what is in force.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect the configuration.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate the configuration and print the effective settings, secrets masked (exit 2 when invalid)."
        )

        @OptionGroup var source: ConfigurationSource

        func run() async throws {
            let configuration = try source.load()
            if let file = configuration.gateway.governance.policyFile {
                do { _ = try PolicyReader.load(path: file) } catch {
                    FileHandle.standardError.write(Data("tappass: invalid policy: \(error)\n".utf8))
                    throw ExitCode(2)
                }
            }
            print("# \(source.demo ? "embedded demo configuration" : source.path): OK")
            print(try EffectiveConfigurationPrinter.yaml(configuration), terminator: "")
        }
    }
}
