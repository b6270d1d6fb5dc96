import Access
import AdminAPI
import ArgumentParser
import Foundation
import Gateway

/// `tappass keys create|list|revoke`: through the running service's admin socket when it is up
/// (changes apply at once), otherwise directly on the state folder.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once.")
        @OptionGroup var source: ConfigurationSource
        @Option(help: "The person or agent the key belongs to.") var user: String
        @Option(help: "The team the key counts against.") var team: String
        @Option(help: "Comma-separated model names or globs the key may use (default: all).") var models: String?
        @Option(help: "Expiry: YYYY-MM-DD (end of that day, UTC) or an ISO 8601 time.") var expires: String?

        func run() async throws {
            let expiresAt = try expires.map(KeysCommand.parseDate)
            let modelList =
                models.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
            let request = KeyCreateRequest(user: user, team: team, models: modelList, expiresAt: expiresAt)
            let created: KeyCreateResponse = try await KeysCommand.withAdmin(source) { admin in
                try await admin.call("POST", "/keys", body: request, expect: 201)
            } direct: { store in
                let (record, key) = try store.create(
                    user: user,
                    team: team,
                    models: modelList,
                    expiresAt: expiresAt,
                    seatLimit: try LicenseCommand.seatLimit(stateDirectory: source.load().gateway.stateDirectory)
                )
                return KeyCreateResponse(key: key, summary: KeySummary(record))
            }
            print(created.key)
            FileHandle.standardError.write(
                Data(
                    "created key \(created.summary.id) for \(created.summary.user) (team \(created.summary.team)); it is shown only once\n"
                        .utf8
                )
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var source: ConfigurationSource
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let keys: [KeySummary] = try await KeysCommand.withAdmin(source) { admin in
                try await admin.call("GET", "/keys", body: Optional<String>.none, expect: 200)
            } direct: { store in
                try store.list().map(KeySummary.init)
            }
            if json {
                print(String(decoding: try JSONEncoder.admin.encode(keys), as: UTF8.self))
                return
            }
            print("ID            USER            TEAM            MODELS          EXPIRES                STATUS")
            let now = Date()
            for key in keys {
                var status = key.revokedAt != nil ? "revoked" : (key.expiresAt.map { $0 <= now } ?? false) ? "expired" : "active"
                if key.seat == "over" { status += " (beyond the license's seats)" }
                let models = key.models.isEmpty ? "*" : key.models.joined(separator: ",")
                let expires = key.expiresAt.map { ISO8601DateFormatter().string(from: $0) } ?? "-"
                print(
                    [key.id, key.user, key.team, models, expires].map { $0.padding(toLength: 15, withPad: " ", startingAt: 0) }.joined(
                        separator: " "
                    ) + " " + status
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key at once.")
        @OptionGroup var source: ConfigurationSource
        @Argument(help: "The key id (as `keys list` shows it).") var id: String

        func run() async throws {
            let summary: KeySummary = try await KeysCommand.withAdmin(source) { admin in
                try await admin.call("POST", "/keys/\(id)/revoke", body: Optional<String>.none, expect: 200)
            } direct: { store in
                guard let record = try store.revoke(id: id) else { throw AdminClient.Failure(description: "no key with id '\(id)'") }
                return KeySummary(record)
            }
            print("revoked \(summary.id) (\(summary.user), team \(summary.team))")
        }
    }

    /// Runs `admin` against the live service if its socket answers, else `direct` on the state folder.
    static func withAdmin<T>(
        _ source: ConfigurationSource,
        admin: (AdminClient) async throws -> T,
        direct: (APIKeyStore) throws -> T
    ) async throws -> T {
        let configuration = try source.load()
        do {
            if let client = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) {
                do {
                    let result = try await admin(client)
                    await client.close()
                    return result
                } catch {
                    await client.close()
                    throw error
                }
            }
            return try direct(try APIKeyStore(stateDirectory: configuration.gateway.stateDirectory))
        } catch let failure as AdminClient.Failure {
            FileHandle.standardError.write(Data("tappass: \(failure)\n".utf8))
            throw ExitCode(1)
        } catch let full as SeatLimitReached {
            FileHandle.standardError.write(Data("tappass: \(full)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func parseDate(_ text: String) throws -> Date {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        if let day = formatter.date(from: text) { return day.addingTimeInterval(86_400) }
        throw ValidationError("--expires: expected YYYY-MM-DD or an ISO 8601 time, got '\(text)'")
    }
}
