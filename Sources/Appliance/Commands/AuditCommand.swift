import Access
import AdminAPI
import ArgumentParser
import Audit
import Foundation
import Gateway
import Logging

/// `tappass audit …`: verify, query, export, prove, prune and export checkpoints. Reading
/// commands open the database read-only (safe while the service writes); `prune` and
/// `checkpoint export` go through the running service's admin socket, or act directly when no
/// service runs.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, query and export the tamper-evident audit log.",
        subcommands: [Verify.self, Query.self, Export.self, Prove.self, CheckProof.self, Prune.self, Checkpoint.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record, the hash chain and the signed checkpoints; exit 1 on damage."
        )
        @OptionGroup var source: ConfigurationSource
        @Option(help: "A checkpoint file exported earlier (kept off the box): the log must still contain what it attests.")
        var checkpoint: String?
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            let (store, stateDirectory) = try AuditCommand.openReadOnly(source)
            let exported = try checkpoint.map { path in try AuditCommand.report { try CheckpointFile.load(path: path) } }
            let publicKey = try AuditCommand.report { try ApplianceKey.publicKey(stateDirectory: stateDirectory) }
            let verifier = AuditVerifier(store: store, publicKey: publicKey, exported: exported) { done, total in
                AuditCommand.stderr("audit verify: \(done)/\(total) records checked")
            }
            let report = try verifier.verify()
            if json {
                print(String(decoding: try JSONEncoder.admin.encode(report), as: UTF8.self))
            } else if report.ok {
                let range = report.firstSeq.map { "seq \($0)–\(report.lastSeq ?? $0)" } ?? "empty"
                let pruned = report.prunedThrough > 0 ? ", pruned through \(report.prunedThrough)" : ""
                print("OK: \(report.records) records (\(range)), \(report.checkpointsChecked) signed checkpoints match\(pruned)")
            } else {
                print("DAMAGED: \(report.damage!.rawValue) at seq \(report.seq ?? 0): \(report.detail ?? "")")
            }
            if !report.ok { throw ExitCode(1) }
        }
    }

    struct Filters: ParsableArguments {
        @Option(help: "Records at or after this time (YYYY-MM-DD or ISO 8601).") var since: String?
        @Option(help: "Records before this time (YYYY-MM-DD or ISO 8601).") var until: String?
        @Option(help: "Only this user.") var user: String?
        @Option(help: "Only this team.") var team: String?
        @Option(help: "Only this model (as asked for or as routed).") var model: String?
        @Option(help: "Only this verdict: allow, flag, redact, block.") var verdict: String?
        @Option(help: "Only this HTTP status.") var status: Int?

        func query() throws -> AuditQuery {
            var query = AuditQuery()
            query.since = try since.map { try AuditCommand.parseDate($0, option: "--since") }
            query.until = try until.map { try AuditCommand.parseDate($0, option: "--until") }
            query.user = user
            query.team = team
            query.model = model
            query.verdict = verdict
            query.status = status
            return query
        }
    }

    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show records matching filters.")
        @OptionGroup var source: ConfigurationSource
        @OptionGroup var filters: Filters
        @Option(help: "At most this many records.") var limit = 100
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func run() async throws {
            let (store, _) = try AuditCommand.openReadOnly(source)
            var query = try filters.query()
            query.limit = limit
            let format: AuditExportFormat = json ? .jsonl : .table
            if let header = format.header { print(header) }
            try query.each(in: store) { print(format.line($0)) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stream records as JSON lines or CSV (for a SIEM).")
        @OptionGroup var source: ConfigurationSource
        @OptionGroup var filters: Filters
        @Option(help: "jsonl or csv.") var format = "jsonl"
        @Option(help: "Write to this file instead of stdout.") var output: String?

        func run() async throws {
            guard let format = AuditExportFormat(rawValue: format), format != .table else {
                throw ValidationError("--format: expected jsonl or csv, got '\(format)'")
            }
            let (store, _) = try AuditCommand.openReadOnly(source)
            let sink: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil) else {
                    throw ValidationError("--output: cannot create '\(output)'")
                }
                sink = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            } else {
                sink = .standardOutput
            }
            var buffer = ""
            if let header = format.header { buffer += header + "\n" }
            try filters.query().each(in: store, progress: { done, _ in AuditCommand.stderr("audit export: \(done) records") }) { entry in
                buffer += format.line(entry)
                buffer += "\n"
                if buffer.utf8.count > 1 << 16 {
                    sink.write(Data(buffer.utf8))
                    buffer = ""
                }
            }
            sink.write(Data(buffer.utf8))
            if output != nil { try sink.close() }
        }
    }

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an inclusion proof (RFC 9162) for one record.")
        @OptionGroup var source: ConfigurationSource
        @Option(help: "The record's sequence number.") var seq: Int64

        func run() async throws {
            let (store, _) = try AuditCommand.openReadOnly(source)
            let proof = try AuditCommand.report { try InclusionProof.make(store: store, seq: seq) }
            print(String(decoding: try JSONEncoder.admin.encode(proof), as: UTF8.self))
        }
    }

    struct CheckProof: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-proof",
            abstract: "Check an inclusion proof file against a public key (no database needed)."
        )
        @Argument(help: "The proof, as `audit prove` printed it.") var proof: String
        @Option(help: "The appliance public key (base64), e.g. from a checkpoint file or keys/appliance.pub.") var publicKey: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: proof) else { throw ValidationError("cannot read '\(proof)'") }
            let parsed: InclusionProof
            do { parsed = try JSONDecoder().decode(InclusionProof.self, from: data) } catch {
                throw ValidationError("\(proof): not an inclusion proof: \(error)")
            }
            guard let key = Data(base64Encoded: publicKey), key.count == 32 else {
                throw ValidationError("--public-key: expected base64 of 32 bytes")
            }
            guard parsed.verify(publicKey: key) else {
                print("INVALID: record \(parsed.seq) is not proven in the signed tree of \(parsed.treeSize) records")
                throw ExitCode(1)
            }
            print("OK: record \(parsed.seq) (leaf \(parsed.leafHash)) is in the signed tree of \(parsed.treeSize) records")
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove records older than a date; a signed checkpoint keeps the rest verifiable."
        )
        @OptionGroup var source: ConfigurationSource
        @Option(help: "Remove records before this time (YYYY-MM-DD or ISO 8601).") var before: String

        func run() async throws {
            let cutoff = try AuditCommand.parseDate(before, option: "--before")
            let configuration = try source.load()
            let result: AuditLog.PruneResult
            if let admin = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) {
                defer { Task { await admin.close() } }
                result = try await AuditCommand.reportAsync {
                    try await admin.call("POST", "/audit/prune", body: AuditPruneRequest(before: cutoff), expect: 200)
                }
            } else {
                let log = try AuditLog(configuration: configuration.gateway, logger: .init(label: "tappass.audit"))
                result = try log.pruneWithoutService(before: cutoff)
            }
            print("pruned \(result.removed) records; the log now starts after seq \(result.prunedThrough)")
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Signed checkpoints.", subcommands: [ExportCheckpoints.self])
    }

    struct ExportCheckpoints: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Make a checkpoint now and write every signed checkpoint to a file for an auditor to keep off the box."
        )
        @OptionGroup var source: ConfigurationSource
        @Option(help: "Write to this file instead of stdout.") var output: String?

        func run() async throws {
            let configuration = try source.load()
            if let admin = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) {
                let _: CheckpointFile = try await AuditCommand.reportAsync {
                    try await admin.call("POST", "/audit/checkpoint", body: String?.none, expect: 200)
                }
                await admin.close()
            } else {
                let log = try AuditLog(configuration: configuration.gateway, logger: .init(label: "tappass.audit"))
                _ = try log.checkpointWithoutService()
            }
            let (store, stateDirectory) = try AuditCommand.openReadOnly(source)
            let file = CheckpointFile(
                publicKey: try ApplianceKey.publicKey(stateDirectory: stateDirectory),
                checkpoints: try store.checkpoints()
            )
            let encoder = JSONEncoder.admin
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let data = try encoder.encode(file)
            if let output {
                try data.write(to: URL(fileURLWithPath: output))
                AuditCommand.stderr(
                    "wrote \(file.checkpoints.count) checkpoints (latest at seq \(file.checkpoints.last?.size ?? 0)) to \(output)"
                )
            } else {
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }

    static func openReadOnly(_ source: ConfigurationSource) throws -> (AuditStore, String) {
        let configuration = try source.load()
        let gateway = configuration.gateway
        let store = try report { try AuditStore(readOnlyPath: gateway.audit.databasePath(stateDirectory: gateway.stateDirectory)) }
        return (store, gateway.stateDirectory)
    }

    /// Turns an audit or admin failure into one line on stderr and exit status 1.
    static func reportAsync<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as AuditError {
            stderr("tappass: \(error.description)")
            throw ExitCode(1)
        } catch let error as ApplianceKeyError {
            stderr("tappass: \(error.description)")
            throw ExitCode(1)
        } catch let failure as AdminClient.Failure {
            stderr("tappass: \(failure)")
            throw ExitCode(1)
        }
    }

    static func report<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as AuditError {
            stderr("tappass: \(error.description)")
            throw ExitCode(1)
        } catch let error as ApplianceKeyError {
            stderr("tappass: \(error.description)")
            throw ExitCode(1)
        }
    }

    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func parseDate(_ text: String, option: String) throws -> Date {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        if let day = formatter.date(from: text) { return day }
        throw ValidationError("\(option): expected YYYY-MM-DD or an ISO 8601 time, got '\(text)'")
    }
}
