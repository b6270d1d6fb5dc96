import Foundation
import Gateway

/// The embedded configuration `tappass serve --demo` runs on: loopback only, state in
/// `./.tappass-demo`, every model name answered by the built-in `echo` model, and the fixed
/// key `tp-demo-key` (accepted in demo mode only).
enum DemoConfiguration {
    static let apiKey = "tp-demo-key"
    static let stateDirectory = ".tappass-demo"

    static var yaml: String {
        let state = FileManager.default.currentDirectoryPath + "/" + stateDirectory
        return """
            listen:
              address: 127.0.0.1
              port: 8080
            state_dir: \(state)
            admin_socket: \(state)/admin.sock
            models:
              - name: "*"
                pool: echo
                model: echo
            """
    }

    static func load() throws -> ApplianceConfiguration {
        var configuration = try ApplianceConfiguration.parse(yaml: yaml, file: "<embedded demo configuration>")
        configuration.gateway.demoKey = apiKey
        return configuration
    }
}
