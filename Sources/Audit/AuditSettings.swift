/// How the audit log is kept (`audit:` in the configuration).
package struct AuditSettings: Sendable, Equatable {
    package enum Durability: String, Sendable, CaseIterable {
        /// A response's last bytes go out only after its record is committed.
        case strict
        /// Records are committed in the background, within milliseconds.
        case batched
    }

    /// The database file; nil is `audit.sqlite` in the state folder.
    package var path: String?
    package var durability: Durability
    /// fsync every commit (SQLite `synchronous=FULL`): records survive power loss, not only a
    /// crash of the service. Off (`synchronous=NORMAL`), a commit survives `kill -9` and the OS
    /// writes it within about a second.
    package var fsync: Bool
    /// A signed checkpoint after this many records…
    package var checkpointEvery: Int
    /// …or this long after the last one, whichever comes first (when records were added).
    package var checkpointInterval: Duration
    /// While the store cannot be written, how often the writer tries again.
    package var retryInterval: Duration
    /// Records held in memory while the store cannot be written; beyond this the oldest are lost (and counted).
    package var maxPending: Int

    package init(
        path: String? = nil,
        durability: Durability = .strict,
        fsync: Bool = false,
        checkpointEvery: Int = 10_000,
        checkpointInterval: Duration = .seconds(60),
        retryInterval: Duration = .seconds(1),
        maxPending: Int = 100_000
    ) {
        self.path = path
        self.durability = durability
        self.fsync = fsync
        self.checkpointEvery = checkpointEvery
        self.checkpointInterval = checkpointInterval
        self.retryInterval = retryInterval
        self.maxPending = maxPending
    }

    package func databasePath(stateDirectory: String) -> String {
        path ?? stateDirectory + "/audit.sqlite"
    }
}
