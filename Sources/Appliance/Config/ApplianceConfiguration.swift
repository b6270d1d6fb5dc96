import ConfigFile
import Foundation
import Gateway
import LocalLLM
import Logging

/// The whole appliance configuration (`/etc/tappass/appliance.yaml`), read and validated here
/// and handed to each module as its own part.
struct ApplianceConfiguration {
    var gateway = GatewayConfiguration()
    var logLevel: Logger.Level = .info

    static let defaultPath = "/etc/tappass/appliance.yaml"

    /// Reads and validates a configuration file. Every problem names file, line and key.
    static func load(path: String) throws -> ApplianceConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(code: .unreadable, file: path, key: nil, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(yaml: text, file: path)
    }

    static func parse(yaml: String, file: String) throws -> ApplianceConfiguration {
        var configuration = ApplianceConfiguration()
        guard let root = try ConfigNode.compose(yaml: yaml, file: file) else { return configuration }
        try ConfigurationReader(file: file).read(root, into: &configuration)
        return configuration
    }
}
