import Foundation
package import Yams

/// A YAML node with the path that led to it, so that every complaint names file, line, key.
package struct ConfigNode {
    package let node: Node
    package let path: String
    package let file: String

    package init(node: Node, path: String, file: String) {
        self.node = node
        self.path = path
        self.file = file
    }

    package var line: Int? { node.mark.map { $0.line } }
    package var column: Int? { node.mark.map { $0.column } }

    package func problem(_ message: String) -> ConfigError {
        problem(.invalidValue, message)
    }

    package func problem(_ code: ConfigError.Code, _ message: String) -> ConfigError {
        ConfigError(code: code, file: file, line: line, column: column, key: path, message: message)
    }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The mapping's entries, refusing keys not in `allowed`.
    package func mapping(allowed: Set<String>) throws -> [String: ConfigNode] {
        guard case .mapping(let mapping) = node else {
            throw problem("expected a mapping of keys (\(allowed.sorted().joined(separator: ", ")))")
        }
        var entries: [String: ConfigNode] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw problem("expected string keys") }
            let located = ConfigNode(node: value, path: child(key), file: file)
            guard allowed.contains(key) else {
                throw ConfigError(
                    code: .unknownKey,
                    file: file,
                    line: keyNode.mark?.line,
                    column: keyNode.mark?.column,
                    key: child(key),
                    message: "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))"
                )
            }
            entries[key] = located
        }
        return entries
    }

    /// A mapping whose keys are names chosen by the user (pool names).
    package func namedEntries() throws -> [(String, ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw problem("expected a mapping of names to settings") }
        return try mapping.map { keyNode, value in
            guard let key = keyNode.string, !key.isEmpty else { throw problem("expected non-empty string names") }
            return (key, ConfigNode(node: value, path: child(key), file: file))
        }
    }

    package func sequence() throws -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw problem("expected a list") }
        return sequence.enumerated().map { index, item in ConfigNode(node: item, path: "\(path)[\(index)]", file: file) }
    }

    package func string() throws -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw problem("expected a non-empty string") }
        return scalar.string
    }

    package func int(in range: ClosedRange<Int>) throws -> Int {
        guard let value = node.int, range.contains(value) else {
            throw problem("expected an integer from \(range.lowerBound) to \(range.upperBound), got '\(node.string ?? "a non-scalar")'")
        }
        return value
    }

    package func bool() throws -> Bool {
        guard let value = node.bool else { throw problem("expected true or false, got '\(node.string ?? "a non-scalar")'") }
        return value
    }

    package func oneOf<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw problem("expected one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return value
    }

    /// A duration such as `250ms`, `5s`, `2m`, `1h`, or a bare number of seconds.
    package func duration() throws -> Duration {
        let text = (node.string ?? "").trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number > 0 { return .milliseconds(Int64(number * scale * 1000)) }
        }
        if let number = Double(text), number > 0 { return .milliseconds(Int64(number * 1000)) }
        throw problem("expected a positive duration such as 250ms, 5s, 2m or 1h, got '\(text)'")
    }

    /// A list of non-empty strings (a single string counts as a list of one).
    package func strings() throws -> [String] {
        if case .scalar = node { return [try string()] }
        return try sequence().map { try $0.string() }
    }

    /// The root node of a YAML document, or nil when the document is empty. A syntax error
    /// names the file and line.
    package static func compose(yaml: String, file: String) throws -> ConfigNode? {
        do {
            return try Yams.compose(yaml: yaml).map { ConfigNode(node: $0, path: "", file: file) }
        } catch let error as YamlError {
            throw ConfigError(code: .syntax, file: file, line: line(of: error), key: nil, message: "not valid YAML: \(problem(of: error))")
        }
    }

    /// Reads and composes a YAML file.
    package static func load(path: String) throws -> ConfigNode? {
        try compose(yaml: try readText(path: path), file: path)
    }

    /// A configuration file's text, or an error naming the file.
    package static func readText(path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(code: .unreadable, file: path, key: nil, message: "cannot read the file: \(error.localizedDescription)")
        }
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
