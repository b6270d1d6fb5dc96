import Access
package import Audit
package import Logging

extension AuditLog {
    /// Opens the configured audit database for writing, signing checkpoints with the appliance
    /// key (made the first time).
    package convenience init(configuration: GatewayConfiguration, logger: Logger) throws {
        let settings = configuration.audit
        let store = try AuditStore(
            path: settings.databasePath(stateDirectory: configuration.stateDirectory),
            synchronousFull: settings.fsync
        )
        let key = try ApplianceKey.loadOrCreate(stateDirectory: configuration.stateDirectory)
        try self.init(store: store, signer: AuditSigner(privateKey: key.privateKey), settings: settings, logger: logger)
    }
}
