import Foundation
import JSONWire

/// Names the calling program from its User-Agent for the audit record: the well-known clients
/// by name, anything else by its first product token.
enum ClientName {
    static func from(userAgent: String?) -> String? {
        guard let agent = userAgent?.trimmingCharacters(in: .whitespaces), !agent.isEmpty else { return nil }
        let lower = agent.lowercased()
        let known: [(StaticString, String)] = [
            ("claude-cli", "Claude Code"), ("claude-code", "Claude Code"), ("cursor", "Cursor"), ("librechat", "LibreChat"),
            ("openai/python", "openai-python"), ("openai/js", "openai-node"), ("anthropic/python", "anthropic-python"),
            ("anthropic/js", "anthropic-node"), ("curl/", "curl"), ("python-requests", "python-requests"), ("python-httpx", "httpx"),
        ]
        for (marker, name) in known where lower.containsUTF8(marker) { return name }
        let token = agent.prefix { $0 != " " && $0 != "/" }
        return String(token.prefix(64))
    }
}
