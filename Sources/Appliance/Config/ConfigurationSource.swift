import ArgumentParser
import ConfigFile
import Foundation
import Gateway

/// `--config FILE` / `--demo`, shared by every command that needs the configuration.
struct ConfigurationSource: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $TAPPASS_CONFIG, else /etc/tappass/appliance.yaml).")
    var config: String?

    @Flag(name: .long, help: "Use the embedded demo configuration (loopback, echo model, key tp-demo-key).")
    var demo = false

    var path: String {
        config ?? ProcessInfo.processInfo.environment["TAPPASS_CONFIG"] ?? ApplianceConfiguration.defaultPath
    }

    /// Loads the configuration, or prints the located error and exits with status 2.
    func load() throws -> ApplianceConfiguration {
        do {
            return demo ? try DemoConfiguration.load() : try ApplianceConfiguration.load(path: path)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("tappass: invalid configuration: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
