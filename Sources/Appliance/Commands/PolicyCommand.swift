import AdminAPI
import ArgumentParser
import Detection
import Foundation
import Gateway
import Governance

/// `tappass policy …`: validate a policy file, show the built-in default, list the finding
/// types a policy can name, and reload the configured policy file into the running service.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate, show and reload governance policy; build, sign and verify signed policy bundles.",
        subcommands: [
            Check.self, Show.self, Types.self, Reload.self, Keygen.self, Build.self, Sign.self, Verify.self, Import.self, Status.self,
            History.self, Rollback.self, Trust.self,
        ]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy file (exit 2 with file, line and key when invalid)."
        )
        @Argument(help: "The policy YAML file.") var file: String

        func run() async throws {
            let policy: Policy
            do { policy = try PolicyReader.load(path: file) } catch {
                FileHandle.standardError.write(Data("tappass: invalid policy: \(error)\n".utf8))
                throw ExitCode(2)
            }
            print("\(file): OK (policy '\(policy.name)', schema version \(Policy.schemaVersion))")
            print("teams with overrides: \(policy.teams.keys.sorted().joined(separator: ", ").nonEmpty ?? "none")")
            print("keys with overrides: \(policy.keys.keys.sorted().joined(separator: ", ").nonEmpty ?? "none")")
            print(
                "exfiltration: \(policy.exfiltration.domains.count) domains, \(policy.exfiltration.keywords.count) keywords, "
                    + "\(policy.exfiltration.patterns.count) patterns"
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the built-in default policy, or say which policy the running service has in force."
        )
        @Flag(help: "Print the built-in default policy's YAML.") var `default` = false
        @OptionGroup var source: ConfigurationSource

        func run() async throws {
            if `default` {
                print(DefaultPolicy.yaml)
                return
            }
            let configuration = try source.load()
            guard let client = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) else {
                print("no service is running; configured: \(configuration.gateway.governance.policyFile ?? "the built-in default policy")")
                return
            }
            let summary: PolicySummary
            do {
                summary = try await client.call("GET", "/policy", body: nil as String?, expect: 200)
                await client.close()
            } catch {
                await client.close()
                throw error
            }
            print("in force: policy '\(summary.name)' from \(summary.source)")
            print("version: \(summary.version) (audit records name it so); document sha256: \(summary.digest)")
        }
    }

    struct Types: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the finding types a policy's actions can name.")

        func run() async throws {
            print("secret: \(DetectorCatalog.secretTypes.joined(separator: ", "))")
            print("pii: \(DetectorCatalog.personalDataTypes.joined(separator: ", "))")
            print("exfil: \(DetectorCatalog.exfiltrationTypes.joined(separator: ", ")), and each custom pattern's name")
        }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-read the configured policy file into the running service (an invalid file changes nothing)."
        )
        @OptionGroup var source: ConfigurationSource

        func run() async throws {
            let configuration = try source.load()
            guard let client = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) else {
                FileHandle.standardError.write(Data("tappass: no service is running at \(configuration.gateway.adminSocketPath)\n".utf8))
                throw ExitCode(1)
            }
            do {
                let summary: PolicySummary = try await client.call("POST", "/policy/reload", body: nil as String?, expect: 200)
                await client.close()
                print("applied policy '\(summary.name)' from \(summary.source)")
            } catch {
                await client.close()
                FileHandle.standardError.write(Data("tappass: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
