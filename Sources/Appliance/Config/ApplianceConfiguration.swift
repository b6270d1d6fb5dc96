import Foundation
import Gateway
import LocalLLM
import Logging
import Yams

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
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(
                code: .syntax,
                file: file,
                line: Self.line(of: error),
                key: nil,
                message: "not valid YAML: \(Self.problem(of: error))"
            )
        }
        var configuration = ApplianceConfiguration()
        guard let root else { return configuration }
        try ConfigurationReader(file: file).read(ConfigNode(node: root, path: "", file: file), into: &configuration)
        return configuration
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)"
        }
    }
}
