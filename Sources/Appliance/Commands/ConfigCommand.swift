import AdminAPI
import ArgumentParser
import Foundation
import Gateway
import Governance
import Yams

/// `tappass config check`: validates the configuration and prints what is in force.
/// `tappass config reload`: has the running service re-read it.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect the configuration, or reload it into the running service.",
        subcommands: [Check.self, Reload.self]
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
            if let certificate = configuration.gateway.listen.tlsCertificatePath {
                do {
                    for warning in try SelfSignedCertificate.warnings(certificateAt: certificate) {
                        FileHandle.standardError.write(Data("tappass: warning: \(warning)\n".utf8))
                    }
                } catch {
                    FileHandle.standardError.write(
                        Data("tappass: invalid configuration: \(certificate): not a PEM certificate (\(error))\n".utf8)
                    )
                    throw ExitCode(2)
                }
            }
            print("# \(source.demo ? "embedded demo configuration" : source.path): OK")
            print(try EffectiveConfigurationPrinter.yaml(configuration), terminator: "")
        }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reload",
            abstract:
                "Have the running service re-read its configuration file (as SIGHUP does): upstreams, models, limits, timeouts and the policy file change live; an invalid file changes nothing (exit 2)."
        )

        @OptionGroup var source: ConfigurationSource

        func run() async throws {
            // An invalid file still goes to the service, which refuses it and records that; its
            // admin socket is then read from the file as plain YAML, if it says.
            var socket = GatewayConfiguration().adminSocketPath
            var invalid: (any Error)?
            do {
                let configuration = source.demo ? try DemoConfiguration.load() : try ApplianceConfiguration.load(path: source.path)
                socket = configuration.gateway.adminSocketPath
            } catch {
                invalid = error
                if let text = try? String(contentsOfFile: source.path, encoding: .utf8),
                    let mapping = (try? Yams.load(yaml: text)) as? [String: Any], let path = mapping["admin_socket"] as? String
                {
                    socket = path
                }
            }
            guard let client = await AdminClient.connect(socketPath: socket) else {
                if let invalid {
                    FileHandle.standardError.write(Data("tappass: invalid configuration: \(invalid)\n".utf8))
                    throw ExitCode(2)
                }
                FileHandle.standardError.write(Data("tappass: no service is running at \(socket)\n".utf8))
                throw ExitCode(1)
            }
            do {
                let summary: ConfigReloadSummary = try await client.call("POST", "/config/reload", body: nil as String?, expect: 200)
                await client.close()
                let applied = summary.applied.isEmpty ? "nothing changed" : "applied: " + summary.applied.joined(separator: ", ")
                print("reloaded \(summary.source): \(applied)")
                if !summary.restartRequired.isEmpty {
                    print("waiting for a restart: \(summary.restartRequired.joined(separator: ", "))")
                }
            } catch {
                await client.close()
                FileHandle.standardError.write(Data("tappass: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
